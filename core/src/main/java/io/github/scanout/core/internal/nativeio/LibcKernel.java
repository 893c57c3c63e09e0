package io.github.scanout.core.internal.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Kernel} over the real C library: the thin layer that turns -1 and MAP_FAILED into
 * {@link DeviceException}s carrying errno and a message naming the call and its fd or path.
 *
 * <p>ioctl arguments: a writable direct buffer is passed to the kernel in place (its index 0);
 * any other buffer is copied into native memory (a per-thread scratch block, or a temporary
 * block for large arguments), and copied back after the call unless it is read-only. Position
 * and limit are never changed. pread/pwrite work the same way on the range from position to
 * limit; heap buffers go through a bounce buffer of at most {@value #MAX_BOUNCE} bytes per call
 * (a shorter transfer is a legal result of pread/pwrite: callers loop).
 *
 * <p>The process-wide {@link #instance()} makes its ioctls through {@link DirectLibc} (direct
 * mapping: nothing allocated per call, the capture loop's polls go through here); a kernel made
 * over a given {@link Libc} (tests at the native boundary pass a mock) makes every call through it.
 *
 * <p>Live mappings and mapped bytes are counted process-wide ({@link #mappedBytes()},
 * {@link #liveMappings()}) so tests can detect leaks.
 *
 * <p>Threads: safe for any number of threads at once, like libc.
 */
public final class LibcKernel implements Kernel {

    /** Largest native copy made for one pread/pwrite of a heap buffer. */
    static final int MAX_BOUNCE = 1 << 20;

    /** Largest per-thread scratch block kept between calls. */
    static final int MAX_SCRATCH = 64 * 1024;

    private static final AtomicLong MAPPED_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_MAPPINGS = new AtomicLong();

    private static final Map<Long, String> IOCTL_NAMES = Map.ofEntries(
            Map.entry(Vfio.GET_API_VERSION, "VFIO_GET_API_VERSION"),
            Map.entry(Vfio.CHECK_EXTENSION, "VFIO_CHECK_EXTENSION"),
            Map.entry(Vfio.SET_IOMMU, "VFIO_SET_IOMMU"),
            Map.entry(Vfio.GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS"),
            Map.entry(Vfio.GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER"),
            Map.entry(Vfio.GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD"),
            Map.entry(Vfio.DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO"),
            Map.entry(Vfio.DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO"),
            Map.entry(Vfio.DEVICE_RESET, "VFIO_DEVICE_RESET"),
            Map.entry(Vfio.DEVICE_QUERY_GFX_PLANE, "VFIO_DEVICE_QUERY_GFX_PLANE"),
            Map.entry(Vfio.DEVICE_GET_GFX_DMABUF, "VFIO_DEVICE_GET_GFX_DMABUF"),
            Map.entry(Vfio.DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD"),
            Map.entry(Vfio.DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT"),
            Map.entry(Vfio.IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC"),
            Map.entry(Linux.DMA_BUF_IOCTL_SYNC, "DMA_BUF_IOCTL_SYNC"));

    private static final class Holder {
        static final LibcKernel INSTANCE = new LibcKernel(Libc.load(), true);
    }

    private final Libc libc;
    /** Whether ioctls go through {@link DirectLibc} (the real C library) instead of {@link #libc}. */
    private final boolean direct;
    private final ThreadLocal<Memory> scratch = new ThreadLocal<>();

    /** A kernel over the given binding (tests pass a mock); every call goes through it. */
    public LibcKernel(Libc libc) {
        this(libc, false);
    }

    private LibcKernel(Libc libc, boolean direct) {
        this.libc = Objects.requireNonNull(libc, "libc");
        this.direct = direct;
    }

    /** The process-wide instance over the real C library, loaded on first use. */
    public static LibcKernel instance() {
        return Holder.INSTANCE;
    }

    /** Bytes mapped through any LibcKernel and not yet unmapped. */
    public static long mappedBytes() {
        return MAPPED_BYTES.get();
    }

    /** Mappings made through any LibcKernel and not yet unmapped. */
    public static long liveMappings() {
        return LIVE_MAPPINGS.get();
    }

    /** A readable name for an ioctl request: {@code VFIO_DEVICE_QUERY_GFX_PLANE} or {@code 0x3b72}. */
    public static String ioctlName(long request) {
        String n = IOCTL_NAMES.get(request);
        return n != null ? n : "0x" + Long.toHexString(request);
    }

    @Override
    public int open(String path, int flags) throws DeviceException {
        Objects.requireNonNull(path, "path");
        int fd = libc.open(path, flags);
        if (fd < 0) {
            throw new DeviceException("open " + path, libc.errno());
        }
        return fd;
    }

    @Override
    public void close(int fd) throws DeviceException {
        if (libc.close(fd) < 0) {
            throw new DeviceException("close(fd " + fd + ")", libc.errno());
        }
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        if (arg == null) {
            int r = direct ? DirectLibc.ioctl(fd, request, (Pointer) null) : libc.ioctl(fd, request, (Pointer) null);
            return checkIoctl(r, fd, request);
        }
        if (arg.isDirect() && !arg.isReadOnly()) {
            int r;
            if (direct) {
                // passed from its position by the direct mapping; index 0 is this class's contract
                r = DirectLibc.ioctl(fd, request, arg.position() == 0 ? arg : arg.duplicate().position(0));
            } else {
                r = libc.ioctl(fd, request, Native.getDirectBufferPointer(arg));
            }
            return checkIoctl(r, fd, request);
        }
        int size = arg.capacity();
        Memory mem = borrow(size);
        try {
            ByteBuffer in = arg.duplicate();
            in.clear();
            if (size > 0) {
                mem.getByteBuffer(0, size).put(in);
            }
            int r = direct ? DirectLibc.ioctl(fd, request, mem) : libc.ioctl(fd, request, mem);
            int errno = r < 0 ? libc.errno() : 0;
            if (!arg.isReadOnly() && size > 0) {
                ByteBuffer out = arg.duplicate();
                out.clear();
                out.put(mem.getByteBuffer(0, size));
            }
            if (r < 0) {
                throw new DeviceException(ioctlText(fd, request), errno);
            }
            return r;
        } finally {
            giveBack(mem);
        }
    }

    @Override
    public int ioctl(int fd, long request, long value) throws DeviceException {
        return checkIoctl(direct ? DirectLibc.ioctl(fd, request, value) : libc.ioctl(fd, request, value), fd, request);
    }

    private int checkIoctl(int r, int fd, long request) throws DeviceException {
        if (r < 0) {
            throw new DeviceException(ioctlText(fd, request), libc.errno());
        }
        return r;
    }

    private static String ioctlText(int fd, long request) {
        return "ioctl(fd " + fd + ", " + ioctlName(request) + ")";
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int n = dst.remaining();
        if (dst.isDirect()) {
            Pointer p = Native.getDirectBufferPointer(dst).share(dst.position());
            long r = libc.pread(fd, p, n, offset);
            if (r < 0) {
                throw new DeviceException(rwText("pread", fd, n, offset), libc.errno());
            }
            dst.position(dst.position() + (int) r);
            return (int) r;
        }
        int count = Math.min(n, MAX_BOUNCE);
        Memory mem = borrow(count);
        try {
            long r = libc.pread(fd, mem, count, offset);
            if (r < 0) {
                throw new DeviceException(rwText("pread", fd, count, offset), libc.errno());
            }
            if (r > count) {
                throw new IllegalStateException("pread returned " + r + " for a count of " + count);
            }
            if (r > 0) {
                dst.put(mem.getByteBuffer(0, r));
            }
            return (int) r;
        } finally {
            giveBack(mem);
        }
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        int n = src.remaining();
        if (src.isDirect()) {
            Pointer p = Native.getDirectBufferPointer(src).share(src.position());
            long r = libc.pwrite(fd, p, n, offset);
            if (r < 0) {
                throw new DeviceException(rwText("pwrite", fd, n, offset), libc.errno());
            }
            src.position(src.position() + (int) r);
            return (int) r;
        }
        int count = Math.min(n, MAX_BOUNCE);
        Memory mem = borrow(count);
        try {
            if (count > 0) {
                ByteBuffer chunk = src.duplicate();
                chunk.limit(chunk.position() + count);
                mem.getByteBuffer(0, count).put(chunk);
            }
            long r = libc.pwrite(fd, mem, count, offset);
            if (r < 0) {
                throw new DeviceException(rwText("pwrite", fd, count, offset), libc.errno());
            }
            if (r > count) {
                throw new IllegalStateException("pwrite returned " + r + " for a count of " + count);
            }
            src.position(src.position() + (int) r);
            return (int) r;
        } finally {
            giveBack(mem);
        }
    }

    private static String rwText(String call, int fd, long count, long offset) {
        return call + "(fd " + fd + ", " + count + " bytes at offset 0x" + Long.toHexString(offset) + ")";
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws DeviceException {
        long r = libc.lseek(fd, offset, whence);
        if (r < 0) {
            throw new DeviceException("lseek(fd " + fd + ", " + offset + ", " + whenceName(whence) + ")", libc.errno());
        }
        return r;
    }

    private static String whenceName(int whence) {
        switch (whence) {
            case Linux.SEEK_SET:
                return "SEEK_SET";
            case 1:
                return "SEEK_CUR";
            case Linux.SEEK_END:
                return "SEEK_END";
            default:
                return Integer.toString(whence);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws DeviceException {
        int r = libc.fcntl(fd, cmd, arg);
        if (r < 0) {
            throw new DeviceException("fcntl(fd " + fd + ", " + cmd + ", " + arg + ")", libc.errno());
        }
        return r;
    }

    @Override
    public int dup(int fd) throws DeviceException {
        int r = libc.dup(fd);
        if (r < 0) {
            throw new DeviceException("dup(fd " + fd + ")", libc.errno());
        }
        return r;
    }

    @Override
    public int memfdCreate(String name, int flags) throws DeviceException {
        Objects.requireNonNull(name, "name");
        int r = libc.memfd_create(name, flags);
        if (r < 0) {
            throw new DeviceException("memfd_create(" + name + ")", libc.errno());
        }
        return r;
    }

    @Override
    public void ftruncate(int fd, long length) throws DeviceException {
        if (libc.ftruncate(fd, length) < 0) {
            throw new DeviceException("ftruncate(fd " + fd + ", " + length + ")", libc.errno());
        }
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        Pointer p = libc.mmap(null, length, prot, flags, fd, offset);
        long address = Pointer.nativeValue(p);
        if (p == null || address == Libc.MAP_FAILED) {
            int errno = p == null ? 0 : libc.errno();
            throw new DeviceException("mmap(" + length + " bytes, prot " + prot + ", flags " + flags + ", fd " + fd
                    + ", offset 0x" + Long.toHexString(offset) + ")" + (p == null ? " returned NULL" : ""), errno);
        }
        MAPPED_BYTES.addAndGet(length);
        LIVE_MAPPINGS.incrementAndGet();
        return new LibcMapping(this, p, length, (prot & Linux.PROT_WRITE) != 0);
    }

    @Override
    public void munmap(Mapping mapping) throws DeviceException {
        if (!(mapping instanceof LibcMapping) || ((LibcMapping) mapping).owner != this) {
            throw new IllegalArgumentException("not a mapping made by this kernel: " + mapping);
        }
        LibcMapping m = (LibcMapping) mapping;
        if (!m.unmapped.compareAndSet(false, true)) {
            throw new IllegalStateException(m + " is already unmapped");
        }
        if (libc.munmap(m.pointer, m.length) < 0) {
            int errno = libc.errno();
            m.unmapped.set(false);
            throw new DeviceException("munmap(0x" + Long.toHexString(m.address()) + ", " + m.length + ")", errno);
        }
        MAPPED_BYTES.addAndGet(-m.length);
        LIVE_MAPPINGS.decrementAndGet();
    }

    // ---- process file descriptors (not part of Kernel: only the vm: provider borrows fds) ----------

    /**
     * {@code SYS_pidfd_open} and {@code SYS_pidfd_getfd}: the same numbers on x86_64 and aarch64
     * (both use the unified syscall table from Linux 5.1 on).
     */
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_PIDFD_GETFD = 438;

    private static final short POLLIN = 1;

    /**
     * {@code pidfd_open(pid, 0)} (Linux 5.3): a file descriptor that names this process, not its
     * number, for as long as it is open. The fd has FD_CLOEXEC.
     *
     * @throws DeviceException carrying ESRCH (no such process) or ENOSYS (kernel older than 5.3)
     */
    public int pidfdOpen(int pid) throws DeviceException {
        long r = libc.syscall(SYS_PIDFD_OPEN, pid, 0, 0);
        if (r < 0) {
            throw new DeviceException("pidfd_open(" + pid + ")", libc.errno());
        }
        return (int) r;
    }

    /**
     * {@code pidfd_getfd(pidfd, targetfd, 0)} (Linux 5.6): a duplicate, in this process, of the
     * target process's fd, sharing its open file description. The new fd has FD_CLOEXEC.
     *
     * @throws DeviceException carrying EPERM (no ptrace right over the process), ESRCH (it has
     *     exited), EBADF (it has no such fd) or ENOSYS (kernel older than 5.6)
     */
    public int pidfdGetfd(int pidfd, int targetFd) throws DeviceException {
        long r = libc.syscall(SYS_PIDFD_GETFD, pidfd, targetFd, 0);
        if (r < 0) {
            throw new DeviceException("pidfd_getfd(pidfd " + pidfd + ", fd " + targetFd + ")", libc.errno());
        }
        return (int) r;
    }

    /**
     * {@code poll(2)} for POLLIN on one fd: for a pidfd, readable means the process has exited.
     *
     * @param timeoutMillis how long to wait; 0 to only look, -1 for ever
     * @return whether the fd is readable (or in error: POLLERR/POLLHUP/POLLNVAL also end a wait)
     */
    public boolean pollIn(int fd, int timeoutMillis) throws DeviceException {
        try (Memory pfd = new Memory(8)) {
            pfd.setInt(0, fd);
            pfd.setShort(4, POLLIN);
            pfd.setShort(6, (short) 0);
            int r = libc.poll(pfd, 1, timeoutMillis);
            if (r < 0) {
                int errno = libc.errno();
                if (errno == io.github.scanout.api.Errno.EINTR.number()) {
                    return false;
                }
                throw new DeviceException("poll(fd " + fd + ")", errno);
            }
            return r > 0 && pfd.getShort(6) != 0;
        }
    }

    /** Native memory of at least {@code size} bytes: the thread's scratch block when small enough. */
    private Memory borrow(int size) {
        int want = Math.max(size, 1);
        if (want > MAX_SCRATCH) {
            return new Memory(want);
        }
        Memory m = scratch.get();
        if (m == null || m.size() < want) {
            if (m != null) {
                m.close();
            }
            m = new Memory(Math.max(want, 4096));
            scratch.set(m);
        }
        scratch.set(null); // lent out: a nested call on this thread gets its own block
        return m;
    }

    private void giveBack(Memory m) {
        if (m.size() > MAX_SCRATCH) {
            m.close();
        } else if (scratch.get() == null) {
            scratch.set(m);
        } else {
            m.close();
        }
    }

    /** A mapping made by {@link LibcKernel#mmap}. */
    static final class LibcMapping implements Mapping {
        final LibcKernel owner;
        final Pointer pointer;
        final long length;
        final boolean writable;
        final AtomicBoolean unmapped = new AtomicBoolean();

        LibcMapping(LibcKernel owner, Pointer pointer, long length, boolean writable) {
            this.owner = owner;
            this.pointer = pointer;
            this.length = length;
            this.writable = writable;
        }

        @Override
        public long address() {
            return Pointer.nativeValue(pointer);
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public ByteBuffer view(long offset, int viewLength) {
            if (offset < 0 || viewLength < 0 || offset > length || viewLength > length - offset) {
                throw new IndexOutOfBoundsException("view of " + viewLength + " bytes at offset " + offset
                        + " does not lie inside a mapping of " + length + " bytes");
            }
            if (unmapped.get()) {
                throw new IllegalStateException(this + " is unmapped");
            }
            ByteBuffer b = pointer.getByteBuffer(offset, viewLength);
            if (!writable) {
                b = b.asReadOnlyBuffer();
            }
            return b.order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public String toString() {
            return "mapping of " + length + " bytes at 0x" + Long.toHexString(address()) + (writable ? " (rw)" : " (ro)");
        }
    }
}
