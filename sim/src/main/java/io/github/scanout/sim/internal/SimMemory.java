package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Device memory (mdpy framebuffer, mbochs VRAM, a GVT guest framebuffer).
 *
 * <p>While the device is open the memory is a memfd of the host kernel, mapped once for the
 * model's own reads and writes, so a mapping the consumer makes of the device region or of a
 * dma-buf shows the very same pages. While the device is closed it is <em>parked</em> on the
 * Java heap (allocated on first write), so a closed simulated device holds no fds: a test that
 * counts {@code /proc/self/fd} sees only what Scanout holds. {@link #bind(Kernel)} moves it into
 * a memfd, {@link #park(boolean)} back onto the heap (keeping or dropping the contents).
 *
 * <p>Two kinds of references: <em>owners</em> (the model, a GVT buffer object) and
 * <em>pins</em> (a dma-buf that may still be mapped: pinned memory stays in its memfd, a park
 * waits for the last unpin). The memory is freed when both reach zero.
 *
 * <p>Threads: all methods are synchronized; the models call them, and touch the buffers, only
 * under their device lock, so memory is never unmapped while it is drawn into.
 */
public final class SimMemory {
    private static final System.Logger LOG = System.getLogger(SimMemory.class.getName());

    private final String name;
    private final int size;
    private ByteBuffer heap;
    private Kernel host;
    private int memfd = -1;
    private Mapping mapping;
    private ByteBuffer view;
    private int owners = 1;
    private int pins;
    private Boolean parkPending;

    /**
     * @param name the memfd name, shown in /proc/self/fd (for example {@code scanout-sim:mbochs-vram})
     * @param size bytes
     * @param host the host kernel to bind to right away, or null to start parked
     */
    public SimMemory(String name, long size, Kernel host) throws DeviceException {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("simulated memory " + name + " must be 1 byte to 2 GiB, got " + size);
        }
        this.name = name;
        this.size = (int) size;
        if (host != null) {
            bind(host);
        }
    }

    /** Memory parked on the heap until {@link #bind(Kernel)}. */
    public static SimMemory unbound(String name, long size) {
        try {
            return new SimMemory(name, size, null);
        } catch (DeviceException e) {
            throw new IllegalStateException("unreachable: nothing to bind", e);
        }
    }

    public long size() {
        return size;
    }

    public String name() {
        return name;
    }

    /** Moves the memory into a memfd of {@code newHost}; cancels a pending park. */
    public synchronized void bind(Kernel newHost) throws DeviceException {
        checkAlive();
        parkPending = null;
        if (host != null) {
            return;
        }
        int fd = newHost.memfdCreate(name, Linux.MFD_CLOEXEC);
        Mapping m;
        try {
            newHost.ftruncate(fd, size);
            m = newHost.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
        } catch (DeviceException | RuntimeException e) {
            closeQuietly(newHost, fd);
            throw e;
        }
        ByteBuffer v = m.view(0, size).order(ByteOrder.LITTLE_ENDIAN);
        if (heap != null) {
            v.put(0, heap, 0, size);
            heap = null;
        }
        host = newHost;
        memfd = fd;
        mapping = m;
        view = v;
    }

    /**
     * Moves the memory back onto the heap and closes its memfd (the device was closed); waits
     * for the last unpin when a dma-buf still pins it.
     *
     * @param keepContents false to drop the contents (mbochs frees its VRAM pages on close)
     */
    public synchronized void park(boolean keepContents) {
        if (pins > 0) {
            parkPending = keepContents;
            return;
        }
        unbind(keepContents);
    }

    public synchronized boolean bound() {
        return host != null;
    }

    /** The memfd; the memory must be bound. */
    public synchronized int memfd() {
        checkAlive();
        if (host == null) {
            throw new IllegalStateException(name + " is not bound to a host kernel (the device is closed)");
        }
        return memfd;
    }

    /** A little-endian view of all bytes (position 0, limit size); valid until parked or freed. */
    public synchronized ByteBuffer buffer() {
        checkAlive();
        if (view != null) {
            return view.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (heap == null) {
            heap = ByteBuffer.allocate(size);
        }
        return heap.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sets every byte to zero (the kernel handing out fresh pages). */
    public synchronized void zero() {
        if (view == null && heap == null) {
            return;
        }
        ByteBuffer b = buffer();
        byte[] zeros = new byte[Math.min(size, 1 << 16)];
        for (int off = 0; off < size; off += zeros.length) {
            b.put(off, zeros, 0, Math.min(zeros.length, size - off));
        }
    }

    /** Copies {@code length} bytes from {@code offset} into new memory bound to the same host. */
    public synchronized SimMemory copyOf(String newName, long offset, long length) throws DeviceException {
        SimMemory copy = new SimMemory(newName, length, host);
        copy.buffer().put(0, buffer(), (int) offset, (int) length);
        return copy;
    }

    public synchronized void retain() {
        checkAlive();
        owners++;
    }

    public synchronized void release() {
        if (owners == 0) {
            throw new IllegalStateException(name + " released more often than retained");
        }
        owners--;
        freeIfUnused();
    }

    public synchronized void pin() {
        checkAlive();
        pins++;
    }

    public synchronized void unpin() {
        if (pins == 0) {
            throw new IllegalStateException(name + " unpinned more often than pinned");
        }
        pins--;
        if (freeIfUnused()) {
            return;
        }
        if (pins == 0 && parkPending != null) {
            unbind(parkPending);
        }
    }

    private boolean freeIfUnused() {
        if (owners + pins > 0) {
            return false;
        }
        unbind(false);
        return true;
    }

    private void unbind(boolean keepContents) {
        parkPending = null;
        if (host == null) {
            if (!keepContents) {
                heap = null;
            }
            return;
        }
        if (keepContents) {
            heap = ByteBuffer.allocate(size);
            heap.put(0, view, 0, size);
        }
        view = null;
        try {
            host.munmap(mapping);
        } catch (DeviceException e) {
            LOG.log(System.Logger.Level.WARNING, "unmapping simulated memory " + name + " failed", e);
        }
        closeQuietly(host, memfd);
        mapping = null;
        memfd = -1;
        host = null;
    }

    private void checkAlive() {
        if (owners + pins == 0) {
            throw new IllegalStateException(name + " was freed");
        }
    }

    private void closeQuietly(Kernel k, int fd) {
        try {
            k.close(fd);
        } catch (DeviceException e) {
            LOG.log(System.Logger.Level.WARNING, "closing memfd " + fd + " of " + name + " failed", e);
        }
    }

    @Override
    public synchronized String toString() {
        return name + " (" + size + " bytes, " + (host == null ? "parked" : "memfd " + memfd) + ")";
    }
}
