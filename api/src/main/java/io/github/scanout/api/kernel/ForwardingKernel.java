package io.github.scanout.api.kernel;

import io.github.scanout.api.DeviceException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Kernel} that passes every call to another one: extend it and override only the calls
 * to change (as the simulated devices' scripted and extended kernels do, core's observer mode for
 * a borrowed device, and tests that rewrite one answer, such as the size a dma-buf reports). The
 * one place a wrapper lists every system call, so a call added to {@link Kernel} is added here
 * once.
 *
 * <p>Threads: as the wrapped kernel.
 */
public class ForwardingKernel implements Kernel {
    /** The kernel every call goes to unless overridden. */
    protected final Kernel delegate;

    /** @param delegate the kernel every call goes to unless overridden */
    public ForwardingKernel(Kernel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int open(String path, int flags) throws DeviceException {
        return delegate.open(path, flags);
    }

    @Override
    public void close(int fd) throws DeviceException {
        delegate.close(fd);
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        return delegate.ioctl(fd, request, arg);
    }

    @Override
    public int ioctl(int fd, long request, long value) throws DeviceException {
        return delegate.ioctl(fd, request, value);
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        return delegate.pread(fd, dst, offset);
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        return delegate.pwrite(fd, src, offset);
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws DeviceException {
        return delegate.lseek(fd, offset, whence);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws DeviceException {
        return delegate.fcntl(fd, cmd, arg);
    }

    @Override
    public int dup(int fd) throws DeviceException {
        return delegate.dup(fd);
    }

    @Override
    public int memfdCreate(String name, int flags) throws DeviceException {
        return delegate.memfdCreate(name, flags);
    }

    @Override
    public void ftruncate(int fd, long length) throws DeviceException {
        delegate.ftruncate(fd, length);
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        return delegate.mmap(length, prot, flags, fd, offset);
    }

    @Override
    public void munmap(Mapping mapping) throws DeviceException {
        delegate.munmap(mapping);
    }
}
