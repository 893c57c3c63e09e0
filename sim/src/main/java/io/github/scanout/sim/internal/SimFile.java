package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;

/**
 * A simulated open file description (the kernel's {@code struct file}): several fds (dup) and
 * mappings may refer to it; it is released when the last goes away.
 *
 * <p>Threads: reference counting is synchronized; operations are thread-safe in subclasses.
 */
public abstract class SimFile {
    protected final DeviceContext ctx;
    private final boolean readable;
    private final boolean writable;
    private final int generation;
    private int refs = 1;

    protected SimFile(DeviceContext ctx, boolean readable, boolean writable) {
        this.ctx = ctx;
        this.generation = ctx.generation();
        this.readable = readable;
        this.writable = writable;
    }

    /** ENODEV once the device vanished, also after it reappeared (this fd belongs to the old one). */
    protected final void checkPresent(String call) throws DeviceException {
        ctx.checkPresent(call, generation);
    }

    /** What this file is, for memfd names and messages: {@code vfio-device}, {@code dmabuf-3}. */
    public abstract String label();

    public abstract int ioctl(SimKernel k, int cmd, UserArg arg) throws DeviceException;

    public abstract int pread(ByteBuffer dst, long offset) throws DeviceException;

    public abstract int pwrite(ByteBuffer src, long offset) throws DeviceException;

    public abstract long lseek(long offset, int whence) throws DeviceException;

    public abstract Mapping mmap(SimKernel k, long length, int prot, int flags, long offset) throws DeviceException;

    /** Called once, when the last fd and mapping are gone. */
    protected abstract void release();

    public final synchronized void ref() {
        if (refs == 0) {
            throw new IllegalStateException(label() + " was already released");
        }
        refs++;
    }

    public final void unref() {
        boolean last;
        synchronized (this) {
            if (refs == 0) {
                throw new IllegalStateException(label() + " released twice");
            }
            last = --refs == 0;
        }
        if (last) {
            release();
        }
    }

    public final synchronized int refs() {
        return refs;
    }

    /**
     * The checks {@code do_mmap} makes before the driver sees the request.
     *
     * @return whether the driver will see VM_SHARED: a MAP_SHARED mapping of a file opened
     *     read-only loses VM_SHARED (and may not be writable: EACCES)
     */
    protected final boolean mmapCommon(String device, long length, int prot, int flags, long offset)
            throws DeviceException {
        String call = "mmap(length " + length + ", prot " + prot + ", flags " + flags + ", offset 0x"
                + Long.toHexString(offset) + ") of " + label();
        if (length <= 0 || offset < 0 || offset % Linux.PAGE_SIZE != 0) {
            throw Errors.errno(device, call, Errno.EINVAL);
        }
        int type = flags & 3;
        if (type == 0) {
            throw Errors.errno(device, call + " (neither MAP_SHARED nor MAP_PRIVATE)", Errno.EINVAL);
        }
        if (!readable) {
            throw Errors.errno(device, call, Errno.EACCES);
        }
        if (type == Linux.MAP_PRIVATE) {
            return false;
        }
        if ((prot & Linux.PROT_WRITE) != 0 && !writable) {
            throw Errors.errno(device, call + " (shared writable mapping of a file opened read-only)", Errno.EACCES);
        }
        return writable;
    }

    protected final boolean readable() {
        return readable;
    }

    protected final boolean writable() {
        return writable;
    }
}
