package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel a simulated device is reached through: answers every call on the fds it handed
 * out (the device fd and dma-buf fds) with the device model, and passes every other call to the
 * host kernel unchanged.
 *
 * <p>Every fd it hands out is a real fd: a fresh, empty memfd of the host named
 * {@code scanout-sim:<device>:<what>}, so {@code /proc/self/fd} shows leaks and the fd numbers
 * cannot collide with the host's. {@code dup} makes a real duplicate and shares the simulated
 * file; {@code fcntl} goes to the host (the FD_CLOEXEC flag is the real one); {@code close}
 * closes the real fd and drops the simulated file's reference. Mappings of device memory are
 * real host mappings of a memfd.
 *
 * <p>Every call on a simulated fd must go through this kernel; closing one through the host
 * directly would leave a stale entry here.
 *
 * <p>Threads: safe for use from several threads, like libc. The fd table is concurrent; the
 * models serialise their own state.
 */
public final class SimKernel implements Kernel {
    private final Kernel host;
    private final DeviceContext ctx;
    private final Map<Integer, SimFile> files = new ConcurrentHashMap<>();

    public SimKernel(Kernel host, DeviceContext ctx) {
        this.host = host;
        this.ctx = ctx;
    }

    /**
     * Hands out a new fd for {@code file}, which already holds the reference for it.
     *
     * @param cloexec whether the fd gets FD_CLOEXEC (the VFIO core sets it on device fds,
     *     mbochs does not on its dma-bufs, i915 does)
     */
    public int install(SimFile file, boolean cloexec) throws DeviceException {
        int fd;
        try {
            fd = host.memfdCreate(memfdName(ctx.name(), file.label()), cloexec ? Linux.MFD_CLOEXEC : 0);
        } catch (DeviceException e) {
            file.unref();
            throw e;
        }
        files.put(fd, file);
        ctx.fdOpened();
        return fd;
    }

    /** Maps {@code length} bytes of a memfd at {@code offset} through the host, tied to {@code file}. */
    Mapping mapFor(SimFile file, SimMemory memory, long memoryOffset, long length, int prot, int flags)
            throws DeviceException {
        Mapping m = host.mmap(length, prot, flags, memory.memfd(), memoryOffset);
        file.ref();
        return new SimMapping(m, file, this);
    }

    @Override
    public int open(String path, int flags) throws DeviceException {
        return host.open(path, flags);
    }

    @Override
    public void close(int fd) throws DeviceException {
        SimFile f = files.remove(fd);
        if (f == null) {
            host.close(fd);
            return;
        }
        try {
            host.close(fd);
        } finally {
            ctx.fdClosed();
            f.unref();
        }
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        SimFile f = files.get(fd);
        if (f == null) {
            return host.ioctl(fd, request, arg);
        }
        int cmd = (int) request; // the kernel's ioctl takes an unsigned int cmd
        return f.ioctl(this, cmd, UserArg.of(arg, ctx.name(), cmd, f));
    }

    @Override
    public int ioctl(int fd, long request, long value) throws DeviceException {
        SimFile f = files.get(fd);
        if (f == null) {
            return host.ioctl(fd, request, value);
        }
        int cmd = (int) request;
        return f.ioctl(this, cmd, UserArg.invalid(ctx.name(), ioctlName(cmd) + " on " + f.label()
                + " with the integer 0x" + Long.toHexString(value) + " where a pointer belongs"));
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        SimFile f = files.get(fd);
        return f == null ? host.pread(fd, dst, offset) : f.pread(dst, offset);
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        SimFile f = files.get(fd);
        return f == null ? host.pwrite(fd, src, offset) : f.pwrite(src, offset);
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws DeviceException {
        SimFile f = files.get(fd);
        return f == null ? host.lseek(fd, offset, whence) : f.lseek(offset, whence);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws DeviceException {
        return host.fcntl(fd, cmd, arg);
    }

    @Override
    public int dup(int fd) throws DeviceException {
        SimFile f = files.get(fd);
        if (f == null) {
            return host.dup(fd);
        }
        f.ref();
        int copy;
        try {
            copy = host.dup(fd);
        } catch (DeviceException | RuntimeException e) {
            f.unref();
            throw e;
        }
        files.put(copy, f);
        ctx.fdOpened();
        return copy;
    }

    @Override
    public int memfdCreate(String name, int flags) throws DeviceException {
        return host.memfdCreate(name, flags);
    }

    @Override
    public void ftruncate(int fd, long length) throws DeviceException {
        SimFile f = files.get(fd);
        if (f != null) {
            throw Errors.errno(ctx.name(), "ftruncate of " + f.label() + " (not a regular file)", Errno.EINVAL);
        }
        host.ftruncate(fd, length);
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        SimFile f = files.get(fd);
        return f == null ? host.mmap(length, prot, flags, fd, offset) : f.mmap(this, length, prot, flags, offset);
    }

    @Override
    public void munmap(Mapping mapping) throws DeviceException {
        if (mapping instanceof SimMapping sm) {
            sm.unmap(host, ctx.name());
            return;
        }
        host.munmap(mapping);
    }

    /** {@code scanout-sim:<device without "sim:">:<what>}, cut to fit memfd_create's 249-byte limit. */
    static String memfdName(String device, String what) {
        String d = device.startsWith("sim:") ? device.substring(4) : device;
        String name = "scanout-sim:" + d + ":" + what;
        return name.length() <= 200 ? name : name.substring(0, 200);
    }

    /** The name of a VFIO or dma-buf ioctl number, for messages. */
    public static String ioctlName(int cmd) {
        return switch (cmd) {
            case 0x3B6B -> "VFIO_DEVICE_GET_INFO";
            case 0x3B6C -> "VFIO_DEVICE_GET_REGION_INFO";
            case 0x3B6D -> "VFIO_DEVICE_GET_IRQ_INFO";
            case 0x3B6E -> "VFIO_DEVICE_SET_IRQS";
            case 0x3B6F -> "VFIO_DEVICE_RESET";
            case 0x3B72 -> "VFIO_DEVICE_QUERY_GFX_PLANE";
            case 0x3B73 -> "VFIO_DEVICE_GET_GFX_DMABUF";
            case 0x3B75 -> "VFIO_DEVICE_FEATURE";
            case 0x40086200 -> "DMA_BUF_IOCTL_SYNC";
            default -> "ioctl 0x" + Integer.toHexString(cmd);
        };
    }
}
