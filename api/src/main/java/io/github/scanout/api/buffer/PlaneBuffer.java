package io.github.scanout.api.buffer;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.device.DmaBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One lease on a plane's buffer. The buffer (its mapping, fd or pooled copy) is released when
 * the last lease on it closes. Each holder owns exactly one lease: {@link #retain()} takes
 * another for a new holder, {@link #close()} gives this one back (idempotent).
 *
 * <p>Leak detection ({@link Leases}) watches the buffer, not each lease: every lease keeps a
 * small anchor object of its buffer reachable, and when no lease is reachable any more while some
 * are still open, those leases are reported as leaked and the buffer is released. So a lease is one
 * small object, and a producer that hands out many leases of one buffer (a poller that hands the
 * same mapping out on every poll) allocates nothing else per lease. The price: a leak is noticed
 * only once every lease of its buffer is unreachable, so for a buffer its source keeps while the
 * plane stays the same (a region mapping, a dma-buf the CPU cannot map) that is after the plane
 * changes or the source closes. With {@code -Dscanout.leaks=trace} each lease is watched on its
 * own, noticed as soon as it is unreachable, and remembers where it was taken.
 *
 * <p>Threads: a lease may be passed to and closed on any thread; the buffer itself is
 * immutable apart from the pixels of {@link MemoryKind#LIVE_MAPPING live} memory.
 */
public final class PlaneBuffer implements AutoCloseable {

    /** {@code Shared.refs} and {@link #closed}: VarHandles, not field updaters (no access check per call, twice a lease). */
    private static final VarHandle REFS;
    private static final VarHandle CLOSED;

    static {
        try {
            REFS = MethodHandles.privateLookupIn(Shared.class, MethodHandles.lookup())
                    .findVarHandle(Shared.class, "refs", int.class);
            CLOSED = MethodHandles.lookup().findVarHandle(PlaneBuffer.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What all leases of one buffer share. */
    private static final class Shared {
        final PlaneInfo info;
        final MemoryKind memory;
        final ByteBuffer pixels;
        final DmaBuf dmaBuf;
        final AutoCloseable release;
        volatile int refs;
        /** The buffer's leak watch (null with per-lease tracing); cleaned when the last lease closes. */
        Cleaner.Cleanable watch;

        Shared(PlaneInfo info, MemoryKind memory, ByteBuffer pixels, DmaBuf dmaBuf, AutoCloseable release) {
            this.info = info;
            this.memory = memory;
            this.pixels = pixels;
            this.dmaBuf = dmaBuf;
            this.release = release;
        }

        void unref() {
            if ((int) REFS.getAndAdd(this, -1) == 1) {
                Cleaner.Cleanable w = watch;
                if (w != null) {
                    w.clean(); // deregisters; its action finds no open lease
                }
                release();
            }
        }

        void release() {
            if (release != null) {
                try {
                    release.close();
                } catch (Exception e) {
                    System.getLogger("io.github.scanout.buffer")
                            .log(System.Logger.Level.WARNING, "releasing buffer " + info + " failed", e);
                }
            }
        }
    }

    /** Run by the cleaner when no lease of a buffer is reachable: the open ones leaked. */
    private static final class BufferWatch implements Runnable {
        final Shared shared;

        BufferWatch(Shared shared) {
            this.shared = shared;
        }

        @Override
        public void run() {
            // no lease is reachable, so none can close concurrently
            int open = (int) REFS.getAndSet(shared, 0);
            if (open > 0) {
                Leases.leaked(open, open == 1 ? "a lease on " + shared.info
                        : "a buffer (" + shared.info + ") with " + open + " open leases", null);
                shared.release();
            }
        }
    }

    /** With tracing: run by the cleaner when one lease is collected while open. */
    private static final class LeaseWatch implements Runnable {
        final Shared shared;
        final AtomicBoolean closed = new AtomicBoolean();
        final Throwable where;
        Cleaner.Cleanable cleanable;

        LeaseWatch(Shared shared, Throwable where) {
            this.shared = shared;
            this.where = where;
        }

        @Override
        public void run() {
            if (closed.compareAndSet(false, true)) {
                Leases.leaked(1, "a lease on " + shared.info, where);
                shared.unref();
            }
        }
    }

    private final Shared shared;
    /**
     * Keeps the buffer's leak anchor reachable while this lease is; with tracing, this lease's own
     * {@link LeaseWatch} instead (one field for both keeps a lease at 24 bytes).
     */
    private final Object anchor;
    private volatile int closed;

    private PlaneBuffer(Shared shared, Object anchor) {
        this.shared = shared;
        REFS.getAndAdd(shared, 1);
        Leases.opened();
        if (Leases.TRACE) {
            LeaseWatch w = new LeaseWatch(shared, new Throwable("lease taken here"));
            this.anchor = w;
            w.cleanable = Leases.CLEANER.register(this, w);
        } else {
            this.anchor = anchor;
        }
    }

    /** The first lease of a new buffer, its leak watch registered. */
    private static PlaneBuffer first(Shared shared) {
        if (Leases.TRACE) {
            return new PlaneBuffer(shared, null);
        }
        Object anchor = new Object();
        PlaneBuffer b = new PlaneBuffer(shared, anchor);
        shared.watch = Leases.CLEANER.register(anchor, new BufferWatch(shared));
        return b;
    }

    /**
     * A new buffer with its first lease.
     *
     * @param info the validated plane it shows
     * @param memory where the pixels live
     * @param pixels the bytes of the layout ({@link PlaneInfo#requiredBytes()} long), or
     *     {@code null} when the CPU cannot read them ({@link MemoryKind#DMABUF_FD})
     * @param dmaBuf the dma-buf behind it, or {@code null}; it is not closed by the buffer
     *     (put that in {@code release})
     * @param release run once when the last lease closes, or {@code null}
     * @return the buffer's first lease, owned by the caller
     * @throws IllegalArgumentException when {@code pixels} does not match {@code memory} or is
     *     shorter than the layout
     */
    public static PlaneBuffer create(PlaneInfo info, MemoryKind memory, ByteBuffer pixels, DmaBuf dmaBuf,
            AutoCloseable release) {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(memory, "memory");
        if (memory.cpuReadable() != (pixels != null)) {
            throw new IllegalArgumentException("memory kind " + memory + (pixels == null
                    ? " is CPU-readable: pixels are required" : " is not CPU-readable: pass no pixels"));
        }
        if (pixels != null && pixels.remaining() < info.requiredBytes()) {
            throw new IllegalArgumentException("pixels hold " + pixels.remaining() + " bytes, the layout of "
                    + info + " needs " + info.requiredBytes());
        }
        ByteBuffer view = pixels == null ? null : pixels.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return first(new Shared(info, memory, view, dmaBuf, release));
    }

    /**
     * A consistent copy ({@link MemoryKind#SNAPSHOT}): pixels the producer copied and no one else
     * writes.
     *
     * @param info the validated plane it shows
     * @param pixels the bytes of the layout ({@link PlaneInfo#requiredBytes()} long)
     * @param release run once when the last lease closes (giving the copy back to its pool), or
     *     {@code null}
     * @return the buffer's first lease, owned by the caller
     */
    public static PlaneBuffer snapshot(PlaneInfo info, ByteBuffer pixels, AutoCloseable release) {
        return create(info, MemoryKind.SNAPSHOT, Objects.requireNonNull(pixels, "pixels"), null, release);
    }

    /**
     * A view of memory the device may change while it is read ({@link MemoryKind#LIVE_MAPPING}).
     *
     * @param info the validated plane it shows
     * @param pixels the mapped bytes of the layout
     * @param release run once when the last lease closes, or {@code null}
     * @return the buffer's first lease, owned by the caller
     */
    public static PlaneBuffer liveMapping(PlaneInfo info, ByteBuffer pixels, AutoCloseable release) {
        return create(info, MemoryKind.LIVE_MAPPING, Objects.requireNonNull(pixels, "pixels"), null, release);
    }

    /**
     * A dma-buf the CPU cannot read here ({@link MemoryKind#DMABUF_FD}): for importers only.
     *
     * @param info the validated plane it shows
     * @param dmaBuf the dma-buf behind it; it is not closed by the buffer
     * @param release run once when the last lease closes (the dma-buf is not closed otherwise)
     * @return the buffer's first lease, owned by the caller
     */
    public static PlaneBuffer dmaBufOnly(PlaneInfo info, DmaBuf dmaBuf, AutoCloseable release) {
        return create(info, MemoryKind.DMABUF_FD, null, Objects.requireNonNull(dmaBuf, "dmaBuf"), release);
    }

    /** {@return the plane this buffer shows} */
    public PlaneInfo info() {
        return shared.info;
    }

    /** {@return where its pixels live} */
    public MemoryKind memory() {
        return shared.memory;
    }

    /** {@return whether {@link #pixels()} may be called} */
    public boolean cpuReadable() {
        return shared.memory.cpuReadable();
    }

    /**
     * A read-only little-endian view of the layout's bytes, with its own position.
     *
     * @return the view; valid only while this lease is open
     * @throws IllegalStateException when this lease is closed or the memory is not CPU-readable
     */
    public ByteBuffer pixels() {
        checkOpen();
        if (shared.pixels == null) {
            throw new IllegalStateException("buffer " + shared.info + " is " + shared.memory
                    + ": the CPU cannot read it; use an importer");
        }
        return shared.pixels.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return the dma-buf behind it, for importers (EGL), if it has one; the buffer keeps owning it} */
    public Optional<DmaBuf> dmaBuf() {
        checkOpen();
        return Optional.ofNullable(shared.dmaBuf);
    }

    /**
     * Another lease on the same buffer, for another holder (for example a sink's own thread).
     *
     * @return the new lease; its holder closes it
     * @throws IllegalStateException when this lease is closed
     */
    public PlaneBuffer retain() {
        checkOpen();
        return new PlaneBuffer(shared, anchor);
    }

    /**
     * The buffer's identity: the same object for every lease of one buffer (the same memory and
     * plane), open or closed, and a different one for any other buffer. Holding it keeps neither
     * the buffer's memory nor its leases (nor their leak watch) alive. A reader that keeps a view
     * from {@link #pixels()} may go on using it for another open lease whose identity is the same.
     *
     * @return the identity, compared with {@code ==}
     */
    public Object identity() {
        return shared;
    }

    /** {@return whether this lease is still open} */
    public boolean isOpen() {
        return closed == 0;
    }

    /** Gives this lease back; the last one releases the buffer. Idempotent. */
    @Override
    public void close() {
        try {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                if (anchor instanceof LeaseWatch w) {
                    if (!w.closed.compareAndSet(false, true)) {
                        return; // the cleaner got there first: it counted the lease and gave it back
                    }
                    w.cleanable.clean();
                }
                Leases.closed();
                shared.unref();
            }
        } finally {
            // this lease (and with it the buffer's anchor) stays reachable until its reference is
            // given back: otherwise the buffer's watch could find it unreachable and open meanwhile
            Reference.reachabilityFence(this);
        }
    }

    private void checkOpen() {
        if (closed != 0) {
            throw new IllegalStateException("lease on " + shared.info + " is closed");
        }
    }

    @Override
    public String toString() {
        return "PlaneBuffer[" + shared.info + ", " + shared.memory + (closed != 0 ? ", closed]" : "]");
    }
}
