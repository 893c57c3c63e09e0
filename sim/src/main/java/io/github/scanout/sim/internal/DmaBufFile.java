package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;

/**
 * An exported dma-buf ({@code drivers/dma-buf/dma-buf.c} semantics): lseek answers the size
 * ({@code SEEK_SET}/{@code SEEK_END} with offset 0 only), pread/pwrite give ESPIPE (no
 * FMODE_PREAD), {@code DMA_BUF_IOCTL_SYNC} checks its flags and succeeds, other ioctls give
 * ENOTTY, and mmap runs the size check and then the exporter's handler.
 *
 * <p>Its pixels live in a {@link SimMemory} (a GVT buffer of its own, or mbochs VRAM at the
 * framebuffer offset); mmap, when the exporter allows it, maps that memfd.
 *
 * <p>Threads: thread-safe.
 */
public final class DmaBufFile extends SimFile {

    /** The exporter's mmap handler and release callback. */
    public interface Exporter {
        /**
         * Throws the exporter's refusal, or returns when the mapping may be made.
         *
         * @param vmShared whether the VMA is VM_SHARED
         */
        void checkMmap(DmaBufFile buf, int prot, boolean vmShared) throws DeviceException;

        /**
         * The last fd and mapping are gone ({@code dma_buf_ops.release}). The exporter must call
         * {@link DmaBufFile#unpinBacking()} under its device lock.
         */
        void released(DmaBufFile buf);
    }

    private final String label;
    private final long id;
    private final long size;
    private final Exporter exporter;
    private SimMemory backing;
    private long backingOffset;

    /**
     * @param writable whether the exporter opened the file O_RDWR (i915) rather than O_RDONLY
     *     (mbochs)
     * @param backing the memory, pinned by this buffer until it is released
     */
    public DmaBufFile(DeviceContext ctx, long id, boolean writable, long size, SimMemory backing, long backingOffset,
            Exporter exporter) {
        super(ctx, true, writable);
        this.label = "dmabuf-" + id;
        this.id = id;
        this.size = size;
        this.exporter = exporter;
        backing.pin();
        this.backing = backing;
        this.backingOffset = backingOffset;
    }

    public long id() {
        return id;
    }

    public long size() {
        return size;
    }

    /** Points the buffer at other memory (mbochs: its pages outlive the device's VRAM). */
    public synchronized void rebacking(SimMemory memory, long offset) {
        memory.pin();
        backing.unpin();
        backing = memory;
        backingOffset = offset;
    }

    /** Drops this buffer's pin on its memory; called once, by the exporter, on release. */
    public synchronized void unpinBacking() {
        backing.unpin();
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public int ioctl(SimKernel k, int cmd, UserArg arg) throws DeviceException {
        String call = SimKernel.ioctlName(cmd);
        checkPresent(call);
        if (cmd != (int) Linux.DMA_BUF_IOCTL_SYNC) {
            throw Errors.errno(ctx.name(), call + " on " + label, Errno.ENOTTY);
        }
        KStruct s = arg.copyFrom(8, 8);
        long flags = s.u64(0);
        long valid = Linux.DMA_BUF_SYNC_READ | Linux.DMA_BUF_SYNC_WRITE | Linux.DMA_BUF_SYNC_END;
        if ((flags & ~valid) != 0 || (flags & (Linux.DMA_BUF_SYNC_READ | Linux.DMA_BUF_SYNC_WRITE)) == 0) {
            throw Errors.errno(ctx.name(), call + " on " + label + " with flags 0x" + Long.toHexString(flags),
                    Errno.EINVAL);
        }
        return 0;
    }

    @Override
    public int pread(ByteBuffer dst, long offset) throws DeviceException {
        checkPresent("pread");
        throw Errors.errno(ctx.name(), "pread of " + label + " (dma-bufs have no FMODE_PREAD)", Errno.ESPIPE);
    }

    @Override
    public int pwrite(ByteBuffer src, long offset) throws DeviceException {
        checkPresent("pwrite");
        throw Errors.errno(ctx.name(), "pwrite of " + label + " (dma-bufs have no FMODE_PWRITE)", Errno.ESPIPE);
    }

    @Override
    public long lseek(long offset, int whence) throws DeviceException {
        checkPresent("lseek");
        if (offset != 0) {
            throw Errors.errno(ctx.name(), "lseek of " + label + " to " + offset + " (only 0 is allowed)", Errno.EINVAL);
        }
        if (whence == Linux.SEEK_END) {
            return size;
        }
        if (whence == Linux.SEEK_SET) {
            return 0;
        }
        throw Errors.errno(ctx.name(), "lseek of " + label + " with whence " + whence, Errno.EINVAL);
    }

    @Override
    public Mapping mmap(SimKernel k, long length, int prot, int flags, long offset) throws DeviceException {
        checkPresent("mmap");
        boolean shared = mmapCommon(ctx.name(), length, prot, flags, offset);
        long pages = (length + Linux.PAGE_SIZE - 1) / Linux.PAGE_SIZE;
        if (offset / Linux.PAGE_SIZE + pages > size / Linux.PAGE_SIZE) {
            throw Errors.errno(ctx.name(), "mmap of " + pages + " pages at page " + offset / Linux.PAGE_SIZE + " of "
                    + label + " (" + size + " bytes)", Errno.EINVAL);
        }
        exporter.checkMmap(this, prot, shared);
        synchronized (this) {
            return k.mapFor(this, backing, backingOffset + offset, length, prot, flags);
        }
    }

    @Override
    protected void release() {
        exporter.released(this);
    }

    @Override
    public String toString() {
        return label + " (" + size + " bytes)";
    }
}
