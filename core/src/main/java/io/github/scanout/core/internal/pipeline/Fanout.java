package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.SinkStats;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The attached sinks and what they are all shown: the current frame (or the reason there is none)
 * and the current cursor. Publishing hands each sink's worker a reference; attaching replays the
 * current state to the newcomer at once, under the same lock, so it neither misses nor repeats a
 * frame. Nothing here blocks on a sink: offers only queue (dropping the oldest when full).
 *
 * <p>Threads: {@code publish*} from the capture thread; attach, detach, stats and close from any
 * thread; {@link #checkStall()} from sink threads.
 */
@PipelineScope
final class Fanout implements RateController.Demand {

    private final PipelineSetup setup;
    private final Clock clock;
    private final LoopSignal signal;
    private final StallWatch stall;
    private final ImportRouter importers;
    private final ConditionLog log;
    private final PipelineThreads threads;

    private final Object lock = new Object();
    private final List<SinkWorker> workers = new CopyOnWriteArrayList<>();
    /** {@link #workers} as an array, replaced on every change: the capture thread's loops over it allocate nothing. */
    private volatile SinkWorker[] attached = new SinkWorker[0];
    /**
     * What the attached sinks need, summed up when one attaches or goes (a sink's needs are fixed
     * at its attach): the capture loop asks on every tick, and one volatile read is cheaper than
     * the five loops over the sinks it replaced.
     */
    private volatile Needs summary = Needs.of(new SinkWorker[0]);

    /** The attached sinks' needs in one record. */
    private record Needs(boolean consistent, boolean lowLatency, boolean anyUncapped, double maxCapped, boolean any) {
        static Needs of(SinkWorker[] sinks) {
            boolean consistent = false;
            boolean lowLatency = false;
            boolean uncapped = false;
            double max = 0;
            for (SinkWorker w : sinks) {
                consistent |= w.needs().consistent();
                lowLatency |= w.needs().lowLatency();
                double fps = w.needs().maxFps();
                if (fps == 0) {
                    uncapped = true;
                } else {
                    max = Math.max(max, fps);
                }
            }
            return new Needs(consistent, lowLatency, uncapped, max, sinks.length > 0);
        }
    }
    private FrameSnapshot current;
    /**
     * The current frame's sequence while it is a live view of CPU-readable memory, 0 otherwise:
     * whether each sink still holds it is {@link SinkWorker#holdsUntaken}'s to say (a sink it was
     * not offered to, or whose queue refused it, does not). Written under the lock by the
     * publishing thread.
     */
    private volatile long liveQueued;
    private CursorSnapshot cursor;
    private String noSignal;
    private boolean stallAnnounced;
    private String stallReason;
    private boolean closed;

    @Inject
    Fanout(PipelineSetup setup, Clock clock, LoopSignal signal, StallWatch stall, ImportRouter importers,
            ConditionLog log, PipelineThreads threads) {
        this.setup = setup;
        this.clock = clock;
        this.signal = signal;
        this.stall = stall;
        this.importers = importers;
        this.log = log;
        this.threads = threads;
    }

    SinkWorker attach(FrameSink sink, String name) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a sink name must not be blank");
        }
        SinkNeeds needs;
        try {
            needs = Objects.requireNonNull(sink.needs(), "needs()");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("sink '" + name + "' cannot be attached to " + setup.name()
                    + ": its needs() failed: " + e, e);
        }
        long stallNanos = setup.options().stallTimeout().toNanos();
        SinkWorker.Context ctx = new SinkWorker.Context(setup.name(), setup.label(), clock, importers, log,
                Math.min(TimeUnit.MILLISECONDS.toNanos(250), Math.max(1, stallNanos / 4)),
                setup.options().detachTimeout().toNanos(), this::checkStall, this::remove);
        SinkWorker w = new SinkWorker(sink, name, needs, setup.options().queueDepth(), ctx);
        boolean force = false;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the pipeline of " + setup.name() + " is closed");
            }
            for (SinkWorker other : workers) {
                if (other.name().equals(name)) {
                    throw new IllegalArgumentException("a sink named '" + name + "' is already attached to "
                            + setup.name());
                }
            }
            workers.add(w);
            attached = workers.toArray(new SinkWorker[0]);
            summary = Needs.of(attached);
            if (current != null && needs.consistent() && !current.buffer().memory().consistent()) {
                // asked for before the sink's thread starts, so that the capture thread takes the
                // snapshot meanwhile (it publishes under this lock, so after the worker is ready)
                force = true;
                signal.forceFrame();
            }
            w.start(threads.sink(name, w::run));
            if (current != null) {
                if (!force) {
                    w.offerFrame(current);
                    if (cursor != null && cursor != current.cursor) {
                        w.offerCursor(cursor);
                    }
                }
            } else if (noSignal != null) {
                w.offerNoSignal(noSignal);
            }
            if (stallAnnounced) {
                w.offerNoSignal(stallReason);
            }
        }
        if (!force) {
            signal.wake();
        }
        return w;
    }

    private void remove(SinkWorker w) {
        synchronized (lock) {
            workers.remove(w);
            attached = workers.toArray(new SinkWorker[0]);
            summary = Needs.of(attached);
        }
        signal.wake();
    }

    /** Publishes a frame; the fan-out takes over the caller's reference (it becomes the current frame). */
    void publishFrame(FrameSnapshot frame) {
        FrameSnapshot oldFrame;
        CursorSnapshot oldCursor;
        boolean skipped = false;
        synchronized (lock) {
            if (closed) {
                frame.unref();
                return;
            }
            oldFrame = current;
            oldCursor = cursor;
            current = frame;
            cursor = frame.cursor.ref();
            noSignal = null;
            stallAnnounced = false;
            PlaneBuffer b = frame.buffer();
            boolean live = b.cpuReadable() && !b.memory().consistent();
            for (SinkWorker w : attached) {
                if (live && w.needs().consistent()) {
                    // A sink that needs consistent bytes attached while this frame was being
                    // captured as a live view: it gets a snapshot on the next tick instead.
                    skipped = true;
                    continue;
                }
                w.offerFrame(frame);
            }
            liveQueued = live ? frame.sequence : 0;
        }
        release(oldFrame, oldCursor);
        if (skipped) {
            signal.forceFrame();
        }
    }

    /** Publishes a cursor-only update; the caller keeps its reference. */
    void publishCursor(CursorSnapshot c) {
        CursorSnapshot old;
        synchronized (lock) {
            if (closed || current == null) {
                return;
            }
            old = cursor;
            cursor = c.ref();
            for (SinkWorker w : attached) {
                w.offerCursor(c);
            }
        }
        if (old != null) {
            old.unref();
        }
    }

    /** There is no picture: drops the current frame and tells every sink why (newcomers too). */
    void publishNoSignal(String reason) {
        FrameSnapshot oldFrame;
        CursorSnapshot oldCursor;
        synchronized (lock) {
            if (closed) {
                return;
            }
            oldFrame = current;
            oldCursor = cursor;
            current = null;
            liveQueued = 0;
            cursor = null;
            noSignal = reason;
            for (SinkWorker w : attached) {
                w.offerNoSignal(reason);
            }
        }
        release(oldFrame, oldCursor);
    }

    /**
     * Called by idle sink threads: when the capture thread has been stuck in one device call for
     * longer than the stall timeout, tells every sink once.
     */
    void checkStall() {
        if (!stall.overdue(setup.options().stallTimeout().toNanos())) {
            return;
        }
        long running = stall.runningNanos();
        String reason = "device " + setup.name() + " has not answered for " + TimeUnit.NANOSECONDS.toMillis(running)
                + " ms (" + stall.call() + " is blocked); the picture resumes if it answers";
        synchronized (lock) {
            if (closed || stallAnnounced) {
                return;
            }
            stallAnnounced = true;
            stallReason = reason;
            for (SinkWorker w : attached) {
                w.offerNoSignal(reason);
            }
        }
        log.report(System.Logger.Level.WARNING, "stalled", setup.label() + ": " + reason, null);
    }

    boolean stallAnnounced() {
        synchronized (lock) {
            return stallAnnounced;
        }
    }

    /** Whether an attached sink needs consistent bytes (then region snapshots are taken on change). */
    boolean wantsConsistent() {
        return summary.consistent();
    }

    /** Whether an attached sink needs low latency (then polling never backs off to the idle interval). */
    @Override
    public boolean wantsLowLatency() {
        return summary.lowLatency();
    }

    /** The rate the sinks ask for: the highest maxFps (0 meaning {@code cap}), capped; 0 with no sinks. */
    @Override
    public double wantedRate(double cap) {
        Needs n = summary;
        if (!n.any()) {
            return 0;
        }
        return n.anyUncapped() ? cap : Math.min(n.maxCapped(), cap);
    }

    /**
     * Whether every attached sink still has the current frame queued, not taken yet, and that
     * frame is a live view (it reads the plane's memory as it is when the sink reads it). Then a
     * look at the plane now would only queue another view of the same memory: the pixels each sink
     * reads are the newest anyway. The capture loop lets its look wait then (for a bounded time),
     * so that it does not read the whole plane again and again beside a sink that is still
     * reading (a 4K frame is 33 MB). Capture thread.
     */
    boolean everySinkHoldsLiveFrame() {
        long sequence = liveQueued;
        if (sequence == 0) {
            return false;
        }
        SinkWorker[] sinks = attached;
        for (SinkWorker w : sinks) {
            if (!w.holdsUntaken(sequence)) {
                return false;
            }
        }
        return sinks.length > 0;
    }

    /** Whether every sink has taken and finished everything (nobody waits for a frame). */
    boolean caughtUp() {
        for (SinkWorker w : attached) {
            if (!w.idle()) {
                return false;
            }
        }
        return true;
    }

    List<SinkWorker> workers() {
        return List.copyOf(workers);
    }

    List<SinkStats> stats() {
        List<SinkStats> out = new ArrayList<>();
        for (SinkWorker w : attached) {
            out.add(w.stats());
        }
        return out;
    }

    /**
     * Detaches every sink (all at once, waiting at most {@code timeoutNanos} in total) and releases
     * the current frame. Nothing is published afterwards.
     *
     * @return the names of sinks whose call did not finish in time
     */
    List<String> close(long timeoutNanos) {
        List<SinkWorker> all;
        FrameSnapshot oldFrame;
        CursorSnapshot oldCursor;
        synchronized (lock) {
            closed = true;
            all = List.copyOf(workers);
            workers.clear();
            attached = new SinkWorker[0];
            summary = Needs.of(attached);
            oldFrame = current;
            oldCursor = cursor;
            current = null;
            liveQueued = 0;
            cursor = null;
        }
        release(oldFrame, oldCursor);
        for (SinkWorker w : all) {
            w.requestDetach();
        }
        long deadline = clock.nanoTime() + timeoutNanos;
        List<String> late = new ArrayList<>();
        for (SinkWorker w : all) {
            if (!w.awaitFinished(deadline - clock.nanoTime())) {
                late.add(w.name());
            }
        }
        return late;
    }

    private static void release(FrameSnapshot f, CursorSnapshot c) {
        if (f != null) {
            f.unref();
        }
        if (c != null) {
            c.unref();
        }
    }
}
