package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * A bounded pool of direct buffers for consistent copies of one plane. Buffers have exactly the
 * size of the current layout; when the layout's size changes, free buffers of the old size are
 * dropped and buffers still leased are dropped when they come back. At most {@code maxBuffers}
 * exist at once (free or leased), so memory is bounded and, in steady state, nothing is
 * allocated per frame.
 *
 * <p>Threads: {@link #take} on the capture thread; {@link #give} on any thread (it runs when
 * the last lease of a snapshot closes).
 */
final class SnapshotPool {
    private final String what;
    private final int maxBuffers;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int size = -1;
    private int outstanding;
    private long allocations;

    /**
     * @param what the plane and device, for messages
     * @param maxBuffers buffers that may exist at once, 1 or more
     */
    SnapshotPool(String what, int maxBuffers) {
        if (maxBuffers < 1) {
            throw new IllegalArgumentException("a snapshot pool needs at least 1 buffer, got " + maxBuffers);
        }
        this.what = what;
        this.maxBuffers = maxBuffers;
    }

    /**
     * A buffer of exactly {@code bytes} bytes (position 0, limit {@code bytes}), to be given back
     * with {@link #give}.
     *
     * @throws DeviceException with EAGAIN when every buffer is leased (consumers hold too many
     *     snapshots); transient: the caller may try again once leases are closed
     */
    synchronized ByteBuffer take(int bytes) throws DeviceException {
        if (bytes != size) {
            free.clear();
            size = bytes;
        }
        ByteBuffer b = free.poll();
        if (b == null) {
            if (outstanding >= maxBuffers) {
                throw new DeviceException("all " + maxBuffers + " snapshot buffers of the " + what
                        + " are leased: consumers must close snapshot leases sooner, or raise snapshotBuffers",
                        Errno.EAGAIN.number());
            }
            b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            allocations++;
        }
        outstanding++;
        b.clear().limit(bytes);
        return b;
    }

    /** Gives a buffer back; one of an old size is dropped. */
    synchronized void give(ByteBuffer b) {
        outstanding--;
        if (b.capacity() == size && free.size() + outstanding < maxBuffers) {
            free.push(b);
        }
    }

    /** Drops the free buffers (leased ones are dropped when they come back). */
    synchronized void clear() {
        free.clear();
        size = -1;
    }

    /** Buffers allocated since the pool was made: flat in steady state. */
    synchronized long allocations() {
        return allocations;
    }

    /** Buffers leased out right now. */
    synchronized int outstanding() {
        return outstanding;
    }
}
