package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An owned dma-buf fd (FD_CLOEXEC already set) and its size. Every call on the fd goes through
 * the kernel of the device that made it (the real one, or a simulated device's).
 *
 * <p>Threads: any; {@link #close()} is idempotent.
 */
final class VfioDmaBuf implements DmaBuf {

    private static final System.Logger LOG = System.getLogger(VfioDmaBuf.class.getName());

    /** Times DMA_BUF_IOCTL_SYNC is restarted after EINTR or EAGAIN (the dma-buf docs ask callers to retry). */
    static final int SYNC_ATTEMPTS = 8;

    private final Kernel kernel;
    private final int fd;
    private final long size;
    private final String label;
    private final AtomicBoolean closed = new AtomicBoolean();

    VfioDmaBuf(Kernel kernel, int fd, long size, String label) {
        this.kernel = kernel;
        this.fd = fd;
        this.size = size;
        this.label = label;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public DmaBuf duplicate() throws DeviceException {
        ensureOpen();
        int copy;
        try {
            copy = kernel.dup(fd);
        } catch (DeviceException e) {
            throw new DeviceException("duplicating " + label, e);
        }
        try {
            Fds.setCloexec(kernel, copy, "duplicate of " + label);
            return new VfioDmaBuf(kernel, copy, size, label);
        } catch (Throwable t) {
            Fds.closeQuietly(kernel, copy, "duplicate of " + label, t);
            throw t;
        }
    }

    @Override
    public MappedMemory mapReadOnly() throws DeviceException {
        ensureOpen();
        if (size <= 0) {
            throw new DeviceException(label + " is empty: nothing to map");
        }
        Mapping m;
        try {
            m = kernel.mmap(size, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0);
        } catch (DeviceException e) {
            throw new DeviceException("mapping " + label + " read-only (its producer may refuse CPU access)", e);
        }
        return new VfioMappedMemory(kernel, m, false, "mapping of " + label);
    }

    @Override
    public void beginCpuRead() throws DeviceException {
        sync(Linux.DMA_BUF_SYNC_START | Linux.DMA_BUF_SYNC_READ, "start");
    }

    @Override
    public void endCpuRead() throws DeviceException {
        sync(Linux.DMA_BUF_SYNC_END | Linux.DMA_BUF_SYNC_READ, "end");
    }

    private void sync(long flags, String what) throws DeviceException {
        ensureOpen();
        ByteBuffer arg = Le.allocate(8);
        Le.putU64(arg, 0, flags);
        for (int attempt = 1; ; attempt++) {
            try {
                kernel.ioctl(fd, Linux.DMA_BUF_IOCTL_SYNC, arg);
                return;
            } catch (DeviceException e) {
                boolean again = e.is(Errno.EINTR) || e.is(Errno.EAGAIN);
                if (!again || attempt >= SYNC_ATTEMPTS) {
                    throw new DeviceException("DMA_BUF_IOCTL_SYNC (" + what + " read) on " + label, e);
                }
            }
        }
    }

    private void ensureOpen() throws DeviceException {
        if (closed.get()) {
            throw new DeviceException(label + " is closed", Errno.EBADF.number());
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                kernel.close(fd);
            } catch (DeviceException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + label + " (fd " + fd + ") failed: " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return label + " (fd " + fd + ", " + size + " bytes" + (closed.get() ? ", closed)" : ")");
    }
}
