package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Observer mode: the kernel a borrowed device is used through. The VM owns the device; Scanout
 * only looks. Every call goes to {@code inner} (through {@link ForwardingKernel}) except what observing does not need, which is
 * refused with EPERM and a message naming the call and the rule:
 * <ul>
 *   <li>ioctls: only {@code VFIO_DEVICE_GET_INFO}, {@code VFIO_DEVICE_GET_REGION_INFO},
 *       {@code VFIO_DEVICE_QUERY_GFX_PLANE}, {@code VFIO_DEVICE_GET_GFX_DMABUF} (not while the VMM
 *       shows the device itself, unless allowed) and {@code DMA_BUF_IOCTL_SYNC}; never a reset,
 *       interrupt, migration or DMA-mapping ioctl;</li>
 *   <li>mappings: read-only ({@code PROT_WRITE} is refused);</li>
 *   <li>writes ({@code pwrite}, i.e. region writes): refused, unless the spec allowed EDID writes
 *       ({@code edid=write}); Scanout then writes only the EDID region.</li>
 * </ul>
 * Closing the device fd through this kernel also ends the watch on the VMM ({@code onClose}).
 *
 * <p>Threads: as thread-safe as {@code inner}.
 */
final class ObserverKernel extends ForwardingKernel {

    static final Set<Long> ALLOWED = Set.of(Vfio.DEVICE_GET_INFO, Vfio.DEVICE_GET_REGION_INFO,
            Vfio.DEVICE_QUERY_GFX_PLANE, Vfio.DEVICE_GET_GFX_DMABUF, Linux.DMA_BUF_IOCTL_SYNC);

    private final int deviceFd;
    private final String label;
    private final BorrowOptions options;
    /** Why GET_GFX_DMABUF is refused (the VMM shows the device itself), or null. */
    private final String dmabufRefusal;
    private final Runnable onClose;

    ObserverKernel(Kernel inner, int deviceFd, String label, BorrowOptions options, String dmabufRefusal, Runnable onClose) {
        super(inner);
        this.deviceFd = deviceFd;
        this.label = label;
        this.options = options;
        this.dmabufRefusal = dmabufRefusal;
        this.onClose = onClose;
    }

    private DeviceException refused(String what, String rule) {
        return new DeviceException(what + " refused on " + label + ": " + rule, Errno.EPERM.number());
    }

    private void check(long request) throws DeviceException {
        if (!ALLOWED.contains(request)) {
            throw refused(LibcKernel.ioctlName(request), "Scanout only observes a borrowed device (observer mode allows"
                    + " only GET_INFO, GET_REGION_INFO, QUERY_GFX_PLANE, GET_GFX_DMABUF and DMA_BUF_IOCTL_SYNC)");
        }
        if (request == Vfio.DEVICE_GET_GFX_DMABUF && dmabufRefusal != null) {
            throw refused("VFIO_DEVICE_GET_GFX_DMABUF", dmabufRefusal);
        }
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        check(request);
        return delegate.ioctl(fd, request, arg);
    }

    @Override
    public int ioctl(int fd, long request, long value) throws DeviceException {
        check(request);
        return delegate.ioctl(fd, request, value);
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        if ((prot & Linux.PROT_WRITE) != 0) {
            throw refused("a writable mapping", "Scanout maps a borrowed device read-only (observer mode)");
        }
        return delegate.mmap(length, prot, flags, fd, offset);
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        if (!options.edidWrites()) {
            throw refused("a region write", "Scanout never writes to a borrowed device (observer mode); add"
                    + " ?edid=write to the spec to let it write the EDID region");
        }
        return delegate.pwrite(fd, src, offset);
    }

    @Override
    public void close(int fd) throws DeviceException {
        try {
            delegate.close(fd);
        } finally {
            if (fd == deviceFd) {
                onClose.run();
            }
        }
    }
}
