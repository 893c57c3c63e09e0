package io.github.scanout.api.support;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A bounded pool of direct buffers for consistent copies of one plane. Buffers have exactly the
 * size of the current layout; when the layout's size changes, free buffers of the old size are
 * dropped and buffers still leased are dropped when they come back. At most {@code maxBuffers}
 * exist at once (free or leased), so memory is bounded and, in steady state, nothing is
 * allocated per frame.
 *
 * <p>Typical use: {@link #take} a buffer, copy the plane into it, and hand it out in a
 * {@link io.github.scanout.api.buffer.PlaneBuffer} whose release action {@linkplain #give gives
 * it back}; give it back at once if building the buffer fails.
 *
 * <p>Threads: {@link #take} and {@link #clear} on the capture thread; {@link #give} on any
 * thread (it runs when the last lease of a snapshot closes); the counters on any thread. All
 * methods are synchronized on the pool.
 */
public final class SnapshotPool {
    private final String what;
    private final int maxBuffers;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int size = -1;
    private int outstanding;
    private long allocations;

    /**
     * @param what the plane and device, for messages ("primary plane of sim:mbochs (dmabuf)")
     * @param maxBuffers buffers that may exist at once, 1 or more
     * @throws IllegalArgumentException when {@code maxBuffers} is below 1
     */
    public SnapshotPool(String what, int maxBuffers) {
        if (maxBuffers < 1) {
            throw new IllegalArgumentException("a snapshot pool needs at least 1 buffer, got " + maxBuffers);
        }
        this.what = Objects.requireNonNull(what, "what");
        this.maxBuffers = maxBuffers;
    }

    /**
     * A buffer of exactly {@code bytes} bytes (position 0, limit {@code bytes}, little-endian),
     * to be given back with {@link #give}. A size other than the last one asked for drops the
     * free buffers of the old size. Capture thread.
     *
     * @param bytes the size of the plane's layout
     * @throws DeviceException with EAGAIN when every buffer is leased (consumers hold too many
     *     snapshots); transient: the caller may try again once leases are closed. The message
     *     names the plane and suggests raising the {@code snapshot.buffers} setting, the name
     *     the bundled plane sources give it
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public synchronized ByteBuffer take(int bytes) throws DeviceException {
        if (bytes < 0) {
            throw new IllegalArgumentException("a snapshot buffer of the " + what + " needs >= 0 bytes, got " + bytes);
        }
        if (bytes != size) {
            free.clear();
            size = bytes;
        }
        ByteBuffer b = free.poll();
        if (b == null) {
            if (outstanding >= maxBuffers) {
                throw new DeviceException("all " + maxBuffers + " snapshot buffers of the " + what
                        + " are leased: consumers must close snapshot leases sooner, or raise snapshot.buffers",
                        Errno.EAGAIN.number());
            }
            b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            allocations++;
        }
        outstanding++;
        b.clear().limit(bytes);
        return b;
    }

    /**
     * Gives back a buffer {@link #take} returned, once; one of an old size is dropped. Any
     * thread.
     *
     * @param b the buffer, whatever its position and limit
     * @throws IllegalStateException when more buffers come back than were taken
     */
    public synchronized void give(ByteBuffer b) {
        Objects.requireNonNull(b, "b");
        if (outstanding <= 0) {
            throw new IllegalStateException("a buffer came back to the snapshot pool of the " + what
                    + " that has none leased (given back twice?)");
        }
        outstanding--;
        if (b.capacity() == size && free.size() + outstanding < maxBuffers) {
            free.push(b);
        }
    }

    /** Drops the free buffers (leased ones are dropped when they come back). Capture thread. */
    public synchronized void clear() {
        free.clear();
        size = -1;
    }

    /** Buffers allocated since the pool was made: flat in steady state. Any thread. */
    public synchronized long allocations() {
        return allocations;
    }

    /** Buffers leased out right now. Any thread. */
    public synchronized int outstanding() {
        return outstanding;
    }

    @Override
    public String toString() {
        return "SnapshotPool[" + what + ", at most " + maxBuffers + "]";
    }
}
