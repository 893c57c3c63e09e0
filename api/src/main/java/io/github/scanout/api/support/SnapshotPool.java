package io.github.scanout.api.support;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
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
 * <p>Typical use: {@link #snapshot(PlaneInfo, Filler)}, which takes a buffer, lets the caller
 * copy the plane into it, and hands it out as a {@link PlaneBuffer#snapshot snapshot lease} that
 * gives it back when the last lease closes (at once when the copy fails). {@link #take} and
 * {@link #give} are the two halves, for producers that need them apart.
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
     * @return the buffer, owned by the caller until it is given back
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

    /** Copies a plane into a pooled buffer. */
    @FunctionalInterface
    public interface Filler {
        /**
         * @param copy the pooled buffer, exactly the layout's size (position 0, little-endian);
         *     write the plane's bytes into it (absolute puts need no flip)
         * @throws DeviceException when reading the plane fails; the buffer goes back to the pool
         */
        void fill(ByteBuffer copy) throws DeviceException;
    }

    /**
     * The pooled snapshot sequence in one call: takes a buffer of {@code info}'s
     * {@link PlaneInfo#requiredBytes() size}, fills it, and returns a
     * {@linkplain PlaneBuffer#snapshot snapshot lease} that gives it back when its last lease
     * closes. If filling (or anything else) fails, the buffer is given back at once. Capture
     * thread.
     *
     * @param info the plane the copy shows (for a detiled copy, the linear layout)
     * @param filler writes the plane's bytes into the pooled buffer
     * @return the snapshot's first lease, owned by the caller
     * @throws DeviceException from {@link #take} (all buffers leased: EAGAIN) or from {@code filler}
     * @throws IllegalArgumentException when the layout does not fit in one buffer (2 GiB)
     */
    public PlaneBuffer snapshot(PlaneInfo info, Filler filler) throws DeviceException {
        return pooled(info, MemoryKind.SNAPSHOT, filler);
    }

    /**
     * As {@link #snapshot(PlaneInfo, Filler)} with another CPU-readable memory kind (a region
     * source's {@code pread} copy, for instance).
     *
     * @param info the plane the copy shows
     * @param memory a CPU-readable memory kind
     * @param filler writes the plane's bytes into the pooled buffer
     * @return the buffer's first lease, owned by the caller
     * @throws DeviceException from {@link #take} (all buffers leased: EAGAIN) or from {@code filler}
     * @throws IllegalArgumentException when the layout does not fit in one buffer (2 GiB)
     */
    public PlaneBuffer pooled(PlaneInfo info, MemoryKind memory, Filler filler) throws DeviceException {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(filler, "filler");
        long required = info.requiredBytes();
        if (required > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the layout of " + info + " (" + required
                    + " bytes) does not fit in one snapshot buffer of the " + what);
        }
        ByteBuffer copy = take((int) required);
        boolean ok = false;
        try {
            filler.fill(copy);
            PlaneBuffer b = PlaneBuffer.create(info, memory, copy, null, () -> give(copy));
            ok = true;
            return b;
        } finally {
            if (!ok) {
                give(copy);
            }
        }
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

    /** {@return the buffers allocated since the pool was made: flat in steady state} Any thread. */
    public synchronized long allocations() {
        return allocations;
    }

    /** {@return the buffers leased out right now} Any thread. */
    public synchronized int outstanding() {
        return outstanding;
    }

    @Override
    public String toString() {
        return "SnapshotPool[" + what + ", at most " + maxBuffers + "]";
    }
}
