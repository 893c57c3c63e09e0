package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;

/** Builds the {@link DeviceException}s the simulated kernel throws: "device: call: ERRNO". */
public final class Errors {
    private Errors() {}

    public static DeviceException errno(String device, String call, Errno errno) {
        return new DeviceException(device + ": " + call, errno.number());
    }
}
