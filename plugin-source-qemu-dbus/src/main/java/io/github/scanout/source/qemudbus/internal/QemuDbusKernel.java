package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.freedesktop.dbus.exceptions.DBusException;

/**
 * The kernel a {@code qemu-dbus:} device is reached through: it answers the VFIO display ABI
 * (docs/abi.md) for the device fd from a {@link ConsoleSurface}, so that core's validation,
 * the region plane source and every sink read a QEMU console as they read an mdev, and passes
 * every other call to the host kernel.
 *
 * <p>The device: region {@value #REGION_INDEX}, {@value #REGION_SIZE} bytes (D-Bus's largest
 * array, so every {@code Scanout} QEMU can send fits), and region {@value #CURSOR_REGION_INDEX}
 * after it for the cursor image (256 x 256 x 4 bytes), both readable and mappable, backed by one
 * memfd of the host that the surface writes into; {@code QUERY_GFX_PLANE} of the primary plane
 * with {@code REGION} answers the surface's plane (disabled, all zero, before the first
 * {@code Scanout} and after {@code Disable}), of the cursor plane the last {@code CursorDefine}
 * (ARGB8888) at the last {@code MouseSet} (disabled before one and while hidden).
 *
 * <p>Dma-buf scanouts ({@code ScanoutDMABUF}, QEMU's {@code gl=on}): the device offers one kind
 * of plane, what the console showed when a plane source first probed ({@link
 * ConsoleSurface#offered}; the dma-buf probe waits up to {@value #FIRST_MESSAGE_WAIT_MS} ms for
 * QEMU's first message). While it offers dma-bufs, {@code PROBE|DMABUF} answers 0 and
 * {@code PROBE|REGION} EINVAL, {@code QUERY_GFX_PLANE} with {@code DMABUF} answers the surface's
 * dma-buf plane (the primary; the cursor plane stays disabled: QEMU's cursor is pixels) with a
 * dmabuf_id that changes with every {@code ScanoutDMABUF}, and {@code VFIO_DEVICE_GET_GFX_DMABUF}
 * of that id hands out a dup of QEMU's fd (ENOENT for an older id), exactly as a VFIO mdev with
 * dma-bufs, so the dma-buf plane source and its importers read it unchanged. A switch of kind
 * while the device is open makes it gone with that reason, and it is opened again.
 * {@code DMA_BUF_IOCTL_SYNC} on a memfd (which a dma-buf scanout may be: plain shared memory)
 * answers ENOTTY from the host; as a memfd has no device caches to sync, this kernel answers 0
 * for it, and passes every other answer on. The device fd is
 * a real fd (an empty memfd named {@code scanout-qemu-dbus:...}), so its number cannot collide
 * with the host's and {@code /proc/self/fd} shows a leak; closing it through this kernel ends
 * the device ({@code onClose}).
 *
 * <p>Threads: safe for use from several threads, like libc.
 */
final class QemuDbusKernel extends ForwardingKernel {
    static final int REGION_INDEX = 0;
    /** 64 MiB: D-Bus limits an array to 2^26 bytes, so no Scanout's data is larger. */
    static final long REGION_SIZE = 1L << 26;
    /** The cursor's region, right after the picture's in the memfd (and at that offset on the device). */
    static final int CURSOR_REGION_INDEX = 1;
    static final long CURSOR_REGION_SIZE = ConsoleSurface.CURSOR_BYTES;
    /** The memfd: both regions. */
    static final long MEMORY_SIZE = REGION_SIZE + CURSOR_REGION_SIZE;
    /**
     * How long the dma-buf probe waits for QEMU's first message (sent right after the listener
     * registers): under the pipeline's default stall timeout (2 s), so that a console that sends
     * nothing yet does not read as a stalled device at every open (seen with QEMU 10 when its
     * first message was refused).
     */
    static final long FIRST_MESSAGE_WAIT_MS = 1500;

    private final String name;
    private final int deviceFd;
    private final int memfd;
    private final ConsoleSurface surface;
    private final Runnable onClose;

    /** What fills the surface: connects it to QEMU and gives back what ends that connection. */
    interface Connector {
        /**
         * @param surface where QEMU's messages go
         * @param gone to complete with a reason when QEMU goes away
         * @return what closes the connection; closed before the memory is unmapped
         */
        AutoCloseable connect(ConsoleSurface surface, CompletableFuture<String> gone) throws IOException, DBusException;
    }

    /**
     * Opens a device: the regions' memory (a memfd of {@value #MEMORY_SIZE} bytes, mapped once
     * for writing), its surface, the connection {@code connector} makes, and the device fd. On a
     * failure everything made so far is closed and the failure is one line naming the device.
     */
    static OpenDevice open(Kernel host, String name, Connector connector) throws DeviceException {
        return open(host, name, null, connector);
    }

    /** As {@link #open(Kernel, String, Connector)}, the surface reading the console's size from {@code size}. */
    static OpenDevice open(Kernel host, String name, ConsoleSurface.ConsoleSize size, Connector connector)
            throws DeviceException {
        Deque<AutoCloseable> opened = new ArrayDeque<>(); // closed last made first
        try {
            int memfd = host.memfdCreate("scanout-qemu-dbus:region", Linux.MFD_CLOEXEC);
            opened.push(() -> host.close(memfd));
            host.ftruncate(memfd, MEMORY_SIZE);
            Mapping writable = host.mmap(MEMORY_SIZE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, memfd, 0);
            ConsoleSurface surface = new ConsoleSurface(writable.view(0, (int) REGION_SIZE),
                writable.view(REGION_SIZE, (int) CURSOR_REGION_SIZE), size, new HostFds(host));
            opened.push(() -> {
                surface.close(); // no write into the memory once it is unmapped; closes a dma-buf fd
                host.munmap(writable);
            });
            CompletableFuture<String> gone = new CompletableFuture<>();
            surface.onReopen(reason -> gone.complete(name + ": " + reason));
            opened.push(connector.connect(surface, gone));
            int deviceFd = host.memfdCreate("scanout-qemu-dbus:device", Linux.MFD_CLOEXEC);
            List<AutoCloseable> connection = new ArrayList<>(opened);
            connection.remove(connection.size() - 1); // the memfd: close(deviceFd) closes it
            QemuDbusKernel kernel = new QemuDbusKernel(host, name, deviceFd, memfd, surface, () -> {
                gone.complete(null); // closed here: not gone
                closeAll(connection, null, name);
            });
            return new OpenDevice(kernel, deviceFd, gone);
        } catch (IOException | DBusException | RuntimeException | LinkageError e) {
            // LinkageError: junixsocket's native library did not load (an unsupported platform)
            DeviceException failure = e instanceof DeviceException d && d.getMessage().startsWith(name)
                ? d : new DeviceException(name + ": " + QmpMessage.oneLine(String.valueOf(e.getMessage())), e);
            closeAll(opened, failure, name);
            throw failure;
        }
    }

    private static void closeAll(Collection<AutoCloseable> all, Exception failure, String name) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    Reporter.system(QemuDbusDeviceProvider.LOGGER).warn(name + ": closing the connection to QEMU failed: "
                        + QmpMessage.oneLine(String.valueOf(e.getMessage())));
                }
            }
        }
    }

    /**
     * @param deviceFd the fd handed out as the device
     * @param memfd the memory of the region (this kernel closes it with the device)
     * @param onClose runs once when the device fd is closed (ends the connection to QEMU)
     */
    QemuDbusKernel(Kernel host, String name, int deviceFd, int memfd, ConsoleSurface surface, Runnable onClose) {
        super(host);
        this.name = name;
        this.deviceFd = deviceFd;
        this.memfd = memfd;
        this.surface = surface;
        this.onClose = onClose;
    }

    @Override
    public void close(int fd) throws DeviceException {
        if (fd != deviceFd) {
            delegate.close(fd);
            return;
        }
        try {
            onClose.run();
        } finally {
            try {
                delegate.close(memfd);
            } finally {
                delegate.close(fd);
            }
        }
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        if (fd != deviceFd) {
            if (request == Linux.DMA_BUF_IOCTL_SYNC) {
                return sync(fd, request, arg);
            }
            return delegate.ioctl(fd, request, arg);
        }
        if (arg == null) {
            throw errno("ioctl 0x" + Long.toHexString(request) + " without an argument", Errno.EFAULT);
        }
        ByteBuffer b = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
        if (request == Vfio.DEVICE_GET_INFO) {
            need(b, 16, "VFIO_DEVICE_GET_INFO");
            b.putInt(4, 0); // flags: no reset, not PCI
            b.putInt(8, CURSOR_REGION_INDEX + 1); // num_regions
            b.putInt(12, 0); // num_irqs
            if (b.getInt(0) >= 20 && b.capacity() >= 20) {
                b.putInt(16, 0); // cap_offset
            }
            return 0;
        }
        if (request == Vfio.DEVICE_GET_REGION_INFO) {
            need(b, Vfio.REGION_INFO_SIZE, "VFIO_DEVICE_GET_REGION_INFO");
            int index = b.getInt(8);
            if (index != REGION_INDEX && index != CURSOR_REGION_INDEX) {
                throw errno("VFIO_DEVICE_GET_REGION_INFO of region " + Integer.toUnsignedString(index)
                    + " (the device has regions " + REGION_INDEX + " and " + CURSOR_REGION_INDEX + " only)", Errno.EINVAL);
            }
            b.putInt(4, Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_MMAP);
            b.putInt(12, 0);
            b.putLong(16, index == REGION_INDEX ? REGION_SIZE : CURSOR_REGION_SIZE);
            b.putLong(24, index == REGION_INDEX ? 0 : REGION_SIZE);
            return 0;
        }
        if (request == Vfio.DEVICE_QUERY_GFX_PLANE) {
            return queryPlane(b);
        }
        if (request == Vfio.DEVICE_GET_GFX_DMABUF) {
            if (b.capacity() < 4) {
                throw errno("VFIO_DEVICE_GET_GFX_DMABUF without a dmabuf_id", Errno.EINVAL);
            }
            long id = Integer.toUnsignedLong(b.getInt(0));
            try {
                return surface.dupDmaBuf(id);
            } catch (IOException e) {
                throw errno("VFIO_DEVICE_GET_GFX_DMABUF: " + e.getMessage(), Errno.ENOENT);
            }
        }
        throw errno("ioctl 0x" + Long.toHexString(request), Errno.ENOTTY);
    }

    /** DMA_BUF_IOCTL_SYNC: the host's answer, except ENOTTY on a memfd (nothing to sync), which is 0. */
    private int sync(int fd, long request, ByteBuffer arg) throws DeviceException {
        try {
            return delegate.ioctl(fd, request, arg);
        } catch (DeviceException e) {
            if (e.is(Errno.ENOTTY) && ConsoleSurface.isMemfd(HostFds.link(fd))) {
                return 0;
            }
            throw e;
        }
    }

    /** The host's fd calls for the surface's dma-bufs; what an fd is comes from {@code /proc/self/fd}. */
    static final class HostFds implements ConsoleSurface.Fds {
        private final Kernel host;

        HostFds(Kernel host) {
            this.host = host;
        }

        /** The fd's {@code /proc/self/fd} link, or "" when it has none (not open). */
        static String link(int fd) {
            try {
                return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }

        @Override
        public String describe(int fd) throws IOException {
            try {
                host.fcntl(fd, Linux.F_GETFD, 0);
            } catch (DeviceException e) {
                throw new IOException(e.getMessage(), e);
            }
            return link(fd);
        }

        /** {@code F_GET_SEALS} of {@code <linux/fcntl.h>}. */
        static final int F_GET_SEALS = 1034;

        @Override
        public long seals(int fd) throws IOException {
            try {
                return host.fcntl(fd, F_GET_SEALS, 0);
            } catch (DeviceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public long size(int fd) throws IOException {
            try {
                return host.lseek(fd, 0, Linux.SEEK_END);
            } catch (DeviceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public int dup(int fd) throws IOException {
            int copy;
            try {
                copy = host.dup(fd);
            } catch (DeviceException e) {
                throw new IOException(e.getMessage(), e);
            }
            try {
                host.fcntl(copy, Linux.F_SETFD, Linux.FD_CLOEXEC); // FD_CLOEXEC: no child process inherits a guest's buffer
                return copy;
            } catch (DeviceException e) {
                close(copy);
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void read(int fd, ByteBuffer dst, long offset) throws IOException {
            ByteBuffer left = dst.duplicate();
            try {
                while (left.hasRemaining()) {
                    int at = left.position();
                    int n = host.pread(fd, left, offset + at);
                    if (n <= 0) {
                        throw new IOException("end of file at " + (offset + at));
                    }
                    if (left.position() == at) { // a kernel that leaves the position where it was
                        left.position(at + n);
                    }
                }
            } catch (DeviceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void close(int fd) {
            try {
                host.close(fd);
            } catch (DeviceException | RuntimeException e) {
                Reporter.system(QemuDbusDeviceProvider.LOGGER).warn("closing fd " + fd + " (a copy of a dma-buf QEMU handed over) failed: "
                    + QmpMessage.oneLine(String.valueOf(e.getMessage())));
            }
        }
    }

    private int queryPlane(ByteBuffer b) throws DeviceException {
        // the kernel's minimum is the end of region_index (60 bytes)
        need(b, 60, "VFIO_DEVICE_QUERY_GFX_PLANE");
        int flags = b.getInt(4);
        if (flags == (Vfio.GFX_PLANE_TYPE_PROBE | Vfio.GFX_PLANE_TYPE_DMABUF)) {
            if (offered() == ConsoleSurface.Kind.DMABUF) {
                return 0;
            }
            throw errno("VFIO_DEVICE_QUERY_GFX_PLANE probe of dma-buf planes (the console shows pixels, not a"
                + " dma-buf)", Errno.EINVAL);
        }
        if (flags == (Vfio.GFX_PLANE_TYPE_PROBE | Vfio.GFX_PLANE_TYPE_REGION)) {
            // a region probe need not wait: it offers regions unless QEMU already sent a dma-buf
            if (surface.kind() != ConsoleSurface.Kind.DMABUF || offered() == ConsoleSurface.Kind.REGION) {
                return 0;
            }
            throw errno("VFIO_DEVICE_QUERY_GFX_PLANE probe of region planes (the console shows a dma-buf)",
                Errno.EINVAL);
        }
        if ((flags & Vfio.GFX_PLANE_TYPE_PROBE) != 0) {
            throw errno("VFIO_DEVICE_QUERY_GFX_PLANE probe of flags 0x" + Integer.toHexString(flags), Errno.EINVAL);
        }
        if (flags == Vfio.GFX_PLANE_TYPE_DMABUF) {
            return queryDmaBuf(b);
        }
        if (flags != Vfio.GFX_PLANE_TYPE_REGION) {
            throw errno("VFIO_DEVICE_QUERY_GFX_PLANE with flags 0x" + Integer.toHexString(flags)
                + " (region or dma-buf planes only)", Errno.EINVAL);
        }
        int planeType = b.getInt(8);
        ConsoleSurface.Plane p = planeType == 1 ? surface.plane() : null; // DRM_PLANE_TYPE_PRIMARY
        ConsoleSurface.CursorPlane c = planeType == 2 ? surface.cursor() : null; // DRM_PLANE_TYPE_CURSOR
        for (int i = 12; i < 60; i += 4) {
            b.putInt(i, 0);
        }
        if (c != null) {
            b.putInt(12, c.format().fourcc());
            b.putLong(16, 0); // DRM_FORMAT_MOD_LINEAR
            b.putInt(24, c.width());
            b.putInt(28, c.height());
            b.putInt(32, c.stride());
            b.putInt(36, (int) c.size());
            b.putInt(40, c.x()); // x_pos, y_pos: the image's top left, signed
            b.putInt(44, c.y());
            b.putInt(48, c.hotX());
            b.putInt(52, c.hotY());
            b.putInt(56, CURSOR_REGION_INDEX);
        }
        if (p != null) {
            b.putInt(12, p.format().fourcc());
            b.putLong(16, 0); // DRM_FORMAT_MOD_LINEAR
            b.putInt(24, p.width());
            b.putInt(28, p.height());
            b.putInt(32, p.stride());
            b.putInt(36, (int) p.size());
            b.putInt(56, REGION_INDEX);
        }
        return 0;
    }

    private ConsoleSurface.Kind offered() throws DeviceException {
        try {
            return surface.offered(FIRST_MESSAGE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw errno("VFIO_DEVICE_QUERY_GFX_PLANE probe interrupted", Errno.EINTR);
        }
    }

    /** QUERY_GFX_PLANE with DMABUF: the primary plane is the surface's dma-buf; the cursor is never one. */
    private int queryDmaBuf(ByteBuffer b) {
        int planeType = b.getInt(8);
        ConsoleSurface.DmaBufPlane d = planeType == 1 ? surface.dmaBuf() : null; // DRM_PLANE_TYPE_PRIMARY
        for (int i = 12; i < 60; i += 4) {
            b.putInt(i, 0);
        }
        if (d != null) {
            b.putInt(12, d.format().fourcc());
            b.putLong(16, d.modifier().value());
            b.putInt(24, d.width());
            b.putInt(28, d.height());
            b.putInt(32, d.stride());
            b.putInt(36, (int) d.size()); // at most 2^32 - 1: checked when QEMU sent it
            b.putInt(56, (int) d.id()); // dmabuf_id
        }
        return 0;
    }

    @Override
    public int ioctl(int fd, long request, long value) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.ioctl(fd, request, value);
        }
        throw errno("ioctl 0x" + Long.toHexString(request) + " with an integer argument", Errno.ENOTTY);
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.pread(fd, dst, offset);
        }
        if (offset < 0) {
            throw errno("pread at offset " + offset, Errno.EINVAL);
        }
        if (offset >= MEMORY_SIZE) {
            return 0;
        }
        ByteBuffer limited = dst.duplicate();
        limited.limit((int) Math.min(dst.limit(), dst.position() + (MEMORY_SIZE - offset)));
        int n = delegate.pread(memfd, limited, offset);
        dst.position(dst.position() + n);
        return n;
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.pwrite(fd, src, offset);
        }
        throw errno("pwrite (the region is read-only)", Errno.EINVAL);
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.lseek(fd, offset, whence);
        }
        throw errno("lseek on the device fd", Errno.ESPIPE);
    }

    @Override
    public int dup(int fd) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.dup(fd);
        }
        throw errno("dup of the device fd", Errno.EINVAL);
    }

    @Override
    public void ftruncate(int fd, long length) throws DeviceException {
        if (fd != deviceFd) {
            delegate.ftruncate(fd, length);
            return;
        }
        throw errno("ftruncate of the device fd", Errno.EINVAL);
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        if (fd != deviceFd) {
            return delegate.mmap(length, prot, flags, fd, offset);
        }
        String call = "mmap(length " + length + ", offset 0x" + Long.toHexString(offset) + ") of the device";
        if ((prot & Linux.PROT_WRITE) != 0) {
            throw errno(call + " for writing (the region is read-only)", Errno.EACCES);
        }
        boolean inPicture = offset >= 0 && offset < REGION_SIZE && length <= REGION_SIZE - offset;
        boolean inCursor = offset >= REGION_SIZE && offset < MEMORY_SIZE && length <= MEMORY_SIZE - offset;
        if (length <= 0 || offset % Linux.PAGE_SIZE != 0 || !(inPicture || inCursor)) {
            throw errno(call + " (outside region " + REGION_INDEX + " at 0, " + REGION_SIZE + " bytes, and region "
                + CURSOR_REGION_INDEX + " at " + REGION_SIZE + ", " + CURSOR_REGION_SIZE + " bytes)", Errno.EINVAL);
        }
        return delegate.mmap(length, prot, flags, memfd, offset);
    }

    private void need(ByteBuffer b, int min, String call) throws DeviceException {
        if (b.capacity() < min || Integer.toUnsignedLong(b.getInt(0)) < min) {
            throw errno(call + " with argsz " + (b.capacity() < 4 ? "missing" : Integer.toUnsignedString(b.getInt(0)))
                + " below " + min, Errno.EINVAL);
        }
    }

    private DeviceException errno(String what, Errno e) {
        return new DeviceException(name + ": " + what + ": " + e.name(), e.number());
    }
}
