package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;

/** Opens the pipeline's device; called on the capture thread, again on every reopen. */
@FunctionalInterface
public interface DeviceOpener {
    GfxDevice open() throws DeviceException;

    /** Whether {@link #open()} can succeed again once the device was closed (not for a device handed over open). */
    default boolean reopens() {
        return true;
    }
}
