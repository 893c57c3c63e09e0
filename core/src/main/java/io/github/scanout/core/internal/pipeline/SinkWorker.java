package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.api.sink.SinkOutput;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.SinkStats;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One attached sink: its own thread ({@code scanout-sink-<name>}) and a {@link DropOldestQueue}
 * that drops the oldest entry when full (the dropped entry's buffers are released at once).
 * Cursor-only updates do not take queue places: the newest one waits in the queue's slot and is
 * superseded by the next frame (which carries the cursor) or the next cursor update.
 *
 * <p>What the sink gets, per entry: frames as {@link Frame}s with leases of its own, closed after
 * {@code frame()} returns; a CPU sink ({@link SinkNeeds#cpuPixels()}) gets CPU-readable buffers,
 * imported when needed, or one {@code noSignal} per buffer identity saying why it cannot; a sink
 * that lists formats gets one {@code noSignal} per buffer identity in another format; cursor
 * updates with {@code imageChanged} relative to what this sink saw last.
 *
 * <p>A sink whose call throws an {@link OutOfMemoryError} or {@link StackOverflowError} is
 * detached by its own worker (reported once): dropping it is the only way to give the memory it
 * holds back to the capture thread and the other sinks.
 *
 * <p>Threads: {@code offer*} from the capture thread (and attach), under the fan-out lock; the
 * sink's methods on this worker's thread only; {@link #detach} and {@link #stats} from any thread.
 */
final class SinkWorker implements SinkHandle {

    /** What a worker's queue holds: a frame ({@link FrameSnapshot} itself, no wrapper per frame) or a no-signal. */
    interface Entry {
        /** Gives back what the entry holds. */
        void release();
    }

    private record NoSignalEntry(String reason) implements Entry {
        @Override
        public void release() {}
    }

    /** What a worker needs from its pipeline. */
    record Context(String device, String label, Clock clock, ImportRouter importers, ConditionLog log,
            long pollNanos, long detachTimeoutNanos, Runnable idleCheck, Consumer<SinkWorker> onDetach) {}

    /** Dropped when the worker ends, so a detached sink and what it holds can be collected. */
    private volatile FrameSink sink;
    private final String name;
    private final SinkNeeds needs;
    private final Context ctx;

    /** Frames and notices in order (the oldest dropped when full); the newest cursor update in its slot. */
    private final DropOldestQueue<Entry, CursorSnapshot> queue;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Thread thread;

    private final LongAdder delivered = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder cursorUpdates = new LongAdder();
    private final LongAdder noSignals = new LongAdder();
    private final LatencyWindow latency = new LatencyWindow(SinkStats.LATENCY_WINDOW);
    /** The last exception a sink method threw, one line; empty when none. */
    private volatile String lastThrown = "";
    /** Why this sink gets no picture of frames the pipeline has; empty while it gets them. */
    private volatile String noPicture = "";
    /** A counting sink's final output, read once it was detached (the sink itself is dropped). */
    private volatile SinkOutput finalOutput;

    // delivery-thread state
    /** The last cursor state without an image, reused while nothing in it changes. */
    private CursorState lastImageless;
    private long lastCursorGeneration = -1;
    /** Set when the sink ran the JVM out of memory or stack: the worker detaches it and ends. */
    private String fatal;
    private String lastNoSignalKey;
    /** The sequence of the last frame queued here (written under the fan-out lock). */
    private volatile long offeredSequence;
    /** The sequence of the last frame this sink's thread took from the queue. */
    private volatile long takenSequence;

    SinkWorker(FrameSink sink, String name, SinkNeeds needs, int depth, Context ctx) {
        this.sink = sink;
        this.name = name;
        this.needs = needs;
        this.ctx = ctx;
        this.queue = new DropOldestQueue<>(depth, Entry::release, CursorSnapshot::unref, e -> e instanceof FrameSnapshot);
    }

    void start(Thread t) {
        thread = t;
        t.start();
    }

    SinkNeeds needs() {
        return needs;
    }

    FrameSink sink() {
        return sink;
    }

    @Override
    public String name() {
        return name;
    }

    // ---- producer side -------------------------------------------------------------------------

    /** Queues a frame (taking a reference), dropping the oldest entry when full. */
    void offerFrame(FrameSnapshot frame) {
        if (!queue.closed() && queue.add(frame.ref())) {
            offeredSequence = frame.sequence;
        }
    }

    /**
     * Whether frame {@code sequence} was queued here and this sink's thread has not taken it yet
     * (it reads that frame later, and an older one first when the queue holds two). Capture thread.
     */
    boolean holdsUntaken(long sequence) {
        return offeredSequence == sequence && takenSequence < sequence;
    }

    /** Sets the pending cursor update (taking a reference), replacing an older one. */
    void offerCursor(CursorSnapshot cursor) {
        if (!queue.closed()) {
            queue.put(cursor.ref());
        }
    }

    /** Queues a noSignal notice. */
    void offerNoSignal(String reason) {
        queue.add(new NoSignalEntry(reason));
    }

    /** Whether it has taken and finished everything it was given. */
    boolean idle() {
        return queue.idle();
    }

    // ---- the delivery thread -------------------------------------------------------------------

    void run() {
        try {
            while (true) {
                DropOldestQueue.Taken<Entry, CursorSnapshot> taken = queue.take(ctx.pollNanos());
                if (taken.closed()) {
                    break;
                }
                Entry entry = taken.entry();
                CursorSnapshot cursor = taken.slot();
                boolean timedOut = taken.empty();
                try {
                    if (entry instanceof FrameSnapshot f) {
                        takenSequence = f.sequence;
                        deliverFrame(f);
                    } else if (entry instanceof NoSignalEntry n) {
                        lastCursorGeneration = -1;
                        deliverNoSignal("pipeline:" + n.reason(), n.reason(), true);
                    } else if (cursor != null) {
                        deliverCursor(cursor);
                    } else if (timedOut) {
                        ctx.idleCheck().run();
                    }
                } finally {
                    if (entry != null) {
                        entry.release();
                    }
                    if (cursor != null) {
                        cursor.unref();
                    }
                    queue.finished();
                }
                if (fatal != null) {
                    ctx.onDetach().accept(this);
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            queue.drain();
            try {
                sink.detached();
            } catch (RuntimeException | LinkageError e) {
                errors.increment();
                lastThrown = "detached(): " + e;
                ctx.log().report(System.Logger.Level.WARNING, "sink:" + name + ":detached",
                        ctx.label() + ": sink '" + name + "' threw from detached(): " + e, e);
            }
            finalOutput = output(sink);
            sink = null;
            finished.countDown();
        }
    }

    private void deliverFrame(FrameSnapshot f) {
        PlaneInfo info = f.buffer().info();
        if (!needs.formats().isEmpty() && !needs.formats().contains(info.format())) {
            deliverNoSignal("format:" + info.key(), "the " + ImportRouter.describe(info) + " is in format " + info.format()
                    + ", which this sink does not take (it takes " + needs.formats() + ")", false);
            return;
        }
        PlaneBuffer primary;
        if (needs.cpuPixels()) {
            primary = f.cpuLease(ctx.importers());
            if (primary == null) {
                deliverNoSignal("import:" + info.key(), f.importFailure(), false);
                return;
            }
        } else {
            primary = f.lease();
        }
        CursorState cursor = null;
        try {
            cursor = cursorState(f.cursor);
            Frame frame = new Frame(ctx.device(), f.sequence, f.captureNanos, f.wallMillis, primary, cursor, f.damage);
            boolean ok;
            try {
                // called directly, not through call(): a capturing lambda per frame is garbage per frame
                sink.frame(frame);
                ok = true;
            } catch (Exception | LinkageError | AssertionError | OutOfMemoryError | StackOverflowError e) {
                ok = failed("frame", e);
            }
            if (ok) {
                delivered.increment();
                latency.add(ctx.clock().nanoTime() - f.captureNanos);
            }
            lastCursorGeneration = f.cursor.generation;
            lastNoSignalKey = null;
            noPicture = "";
        } finally {
            primary.close();
            if (cursor != null) {
                cursor.image().ifPresent(PlaneBuffer::close);
            }
        }
    }

    private void deliverCursor(CursorSnapshot c) {
        CursorState state = cursorState(c);
        try {
            if (call("cursor", () -> sink.cursor(state))) {
                cursorUpdates.increment();
            }
            lastCursorGeneration = c.generation;
        } finally {
            state.image().ifPresent(PlaneBuffer::close);
        }
    }

    private CursorState cursorState(CursorSnapshot c) {
        boolean imageChanged = c.generation != lastCursorGeneration;
        if (c.image == null) {
            // no image holds no lease: the last such state is handed out again while it is the same
            CursorState last = lastImageless;
            if (last == null || last.x() != c.x || last.y() != c.y || !last.hotspot().equals(c.hotspot)
                    || last.imageChanged() != imageChanged) {
                last = new CursorState(Optional.empty(), c.x, c.y, c.hotspot, imageChanged);
                lastImageless = last;
            }
            return last;
        }
        PlaneBuffer image;
        if (needs.cpuPixels()) {
            image = c.image.cpuLease(ctx.importers());
            if (image == null) {
                String why = c.image.importFailure();
                ctx.log().report(System.Logger.Level.INFO, "sink:" + name + ":cursor:" + why,
                        ctx.label() + ": sink '" + name + "' gets no cursor image: " + why, null);
                return new CursorState(Optional.empty(), c.x, c.y, c.hotspot, imageChanged);
            }
        } else {
            image = c.image.lease();
        }
        return new CursorState(Optional.of(image), c.x, c.y, c.hotspot, imageChanged);
    }

    /** noSignal once per key (a pipeline transition always has a new key). */
    private void deliverNoSignal(String key, String reason, boolean fromPipeline) {
        if (key.equals(lastNoSignalKey)) {
            return;
        }
        lastNoSignalKey = key;
        noPicture = fromPipeline ? "" : reason;
        if (!fromPipeline) {
            ctx.log().report(System.Logger.Level.INFO, "sink:" + name + ":nosignal:" + reason,
                    ctx.label() + ": sink '" + name + "' gets no picture: " + reason, null);
        }
        if (call("noSignal", () -> sink.noSignal(reason))) {
            noSignals.increment();
        }
    }

    private interface SinkCall {
        void run() throws Exception;
    }

    /** Runs one sink call; a throw is counted and logged at a limited rate. */
    private boolean call(String method, SinkCall c) {
        try {
            c.run();
            return true;
        } catch (Exception | LinkageError | AssertionError | OutOfMemoryError | StackOverflowError e) {
            return failed(method, e);
        }
    }

    /** A sink call threw {@code e}: counted and logged at a limited rate; out of memory or stack is fatal. */
    private boolean failed(String method, Throwable e) {
        errors.increment();
        if (e instanceof OutOfMemoryError || e instanceof StackOverflowError) {
            fatal = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            lastThrown = method + "(): " + fatal;
            ctx.log().report(System.Logger.Level.ERROR, "sink:" + name + ":fatal:" + fatal,
                    ctx.label() + ": sink '" + name + "' threw " + fatal + " from " + method + "(); it is detached"
                            + " so that capture and the other sinks go on (attach it again to retry)", null);
            return false;
        }
        String why = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        lastThrown = method + "(): " + why;
        ctx.log().report(System.Logger.Level.WARNING, "sink:" + name + ":" + method + ":" + why,
                ctx.label() + ": sink '" + name + "' threw from " + method + "(): " + why, e);
        return false;
    }

    // ---- handle --------------------------------------------------------------------------------

    @Override
    public SinkStats stats() {
        int queued = queue.queued();
        long[] p = LatencyWindow.percentilesMicros(List.of(latency), 50, 99);
        long took = delivered.sum();
        SinkOutput o = finalOutput;
        if (o == null) {
            o = output(sink);
        }
        String thrown = lastThrown;
        long written = o == null ? took : o.frames();
        String lastError = o == null || o.lastError().isEmpty() ? thrown : o.lastError();
        // the clients it serves now (a VNC sink's viewers); a detached sink serves none
        List<SinkClient> clients = o == null || finalOutput != null ? List.of() : o.clients();
        return new SinkStats(name, queued, took, queue.dropped(), errors.sum(), cursorUpdates.sum(),
                noSignals.sum(), p[0], p[1], written, o == null ? 0 : o.bytes(), lastError, noPicture, clients);
    }

    /**
     * A counting sink's output now, or null for a sink that does not count (or is gone). A sink
     * whose {@code output()} throws reports nothing written and the exception as its error.
     */
    private static SinkOutput output(FrameSink s) {
        if (!(s instanceof CountsOutput c)) {
            return null;
        }
        try {
            SinkOutput o = c.output();
            return o != null ? o : SinkOutput.NONE;
        } catch (RuntimeException | LinkageError e) {
            return new SinkOutput(0, 0, "output(): " + e);
        }
    }

    LatencyWindow latency() {
        return latency;
    }

    @Override
    public boolean attached() {
        return !queue.closed();
    }

    /** Stops taking entries and wakes the thread; does not wait. */
    void requestDetach() {
        queue.close();
    }

    /**
     * Waits for the thread to end, up to {@code nanos}: for its last sink call ({@code detached()})
     * and then for the thread itself (the latch is counted down in a {@code finally} just before
     * the thread exits, so it is joined too; {@link SinkHandle#detach} promises an ended thread).
     */
    boolean awaitFinished(long nanos) {
        Thread t = thread;
        if (Thread.currentThread() == t) {
            return false;
        }
        long deadline = System.nanoTime() + Math.max(0, nanos);
        try {
            if (!finished.await(Math.max(0, nanos), TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (t == null) {
                return true;
            }
            // past the latch the thread only returns: give it at least a moment even at the deadline
            long left = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
            TimeUnit.NANOSECONDS.timedJoin(t, left);
            return !t.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return finished.getCount() == 0 && (t == null || !t.isAlive());
        }
    }

    @Override
    public boolean detach(Duration timeout) {
        ctx.onDetach().accept(this);
        requestDetach();
        boolean done = awaitFinished(timeout.toNanos());
        if (!done) {
            ctx.log().report(System.Logger.Level.WARNING, "sink:" + name + ":slow-detach",
                    ctx.label() + ": sink '" + name + "' did not finish its call within " + timeout.toMillis()
                            + " ms of being detached; its thread is left to finish and then releases its buffers",
                    null);
        }
        return done;
    }

    @Override
    public void close() {
        detach(Duration.ofNanos(ctx.detachTimeoutNanos()));
    }

    @Override
    public String toString() {
        return "sink '" + name + "'";
    }
}
