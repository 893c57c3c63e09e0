package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;

/**
 * A real host mapping of device memory that, like a VMA, keeps the simulated file it was made
 * from referenced until it is unmapped.
 */
final class SimMapping implements Mapping {
    private final Mapping host;
    private final SimFile file;
    private final SimKernel owner;
    private boolean unmapped;

    SimMapping(Mapping host, SimFile file, SimKernel owner) {
        this.host = host;
        this.file = file;
        this.owner = owner;
    }

    SimKernel owner() {
        return owner;
    }

    @Override
    public long address() {
        return host.address();
    }

    @Override
    public long length() {
        return host.length();
    }

    @Override
    public ByteBuffer view(long offset, int length) {
        return host.view(offset, length);
    }

    void unmap(Kernel hostKernel, String device) throws DeviceException {
        synchronized (this) {
            if (unmapped) {
                throw Errors.errno(device, "munmap of a mapping of " + file.label() + " that is already unmapped",
                        Errno.EINVAL);
            }
            unmapped = true;
        }
        try {
            hostKernel.munmap(host);
        } finally {
            file.unref();
        }
    }

    @Override
    public String toString() {
        return "mapping of " + file.label() + " at 0x" + Long.toHexString(address()) + " (" + length() + " bytes)";
    }
}
