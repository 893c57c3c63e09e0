package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.input.InputForwarder;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.SinkStats;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The root of a pipeline's graph: starts the capture thread and is what {@code Pipeline} (the
 * public embedding API) and the DS device component talk to.
 *
 * <p>Threads: every method may be called from any thread.
 */
@PipelineScope
public final class PipelineEngine {

    private final PipelineSetup setup;
    private final CaptureLoop loop;
    private final Fanout fanout;
    private final RateController rate;
    private final StatsRecorder stats;
    private final StallWatch stall;
    private final LoopSignal signal;
    private final PipelineThreads threads;
    private final ConditionLog log;
    private final Object lifecycle = new Object();
    private Thread captureThread;
    private volatile boolean closed;

    @Inject
    PipelineEngine(PipelineSetup setup, CaptureLoop loop, Fanout fanout, RateController rate, StatsRecorder stats,
            StallWatch stall, LoopSignal signal, PipelineThreads threads, ConditionLog log) {
        this.setup = setup;
        this.loop = loop;
        this.fanout = fanout;
        this.rate = rate;
        this.stats = stats;
        this.stall = stall;
        this.signal = signal;
        this.threads = threads;
        this.log = log;
    }

    public PipelineSetup setup() {
        return setup;
    }

    /** Starts the capture thread (once). */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the pipeline of " + setup.name() + " is closed");
            }
            if (captureThread == null) {
                captureThread = threads.capture(loop);
                captureThread.start();
            }
        }
    }

    /**
     * Opens the device and selects a plane source on the caller's thread, for a caller that then
     * runs the ticks itself ({@link #tickStepped()}; {@code SteppedPipeline}) instead of starting
     * the capture thread.
     */
    public void openStepped() throws InterruptedException {
        synchronized (lifecycle) {
            if (captureThread != null || closed) {
                throw new IllegalStateException("the pipeline of " + setup.name() + " is already running or closed");
            }
        }
        loop.openStepped();
    }

    /** One tick of the capture loop on the caller's thread; returns the deadline of the next poll (nanoTime). */
    public long tickStepped() throws io.github.scanout.api.DeviceException {
        return loop.tickStepped();
    }

    /** Releases the device opened by {@link #openStepped()}; call {@link #close()} afterwards. */
    public void releaseStepped() {
        loop.releaseStepped();
    }

    public SinkHandle attach(FrameSink sink, String name) {
        if (closed) {
            throw new IllegalStateException("the pipeline of " + setup.name() + " is closed");
        }
        if (sink instanceof InputForwarder f) {
            // before the first frame, on the attaching thread (InputForwarder's contract)
            try {
                f.inputTarget(setup.input().get());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("sink '" + name + "' failed to take the input target of device '"
                        + setup.name() + "': " + e, e);
            }
        }
        return fanout.attach(sink, name);
    }

    /** The attached sink that is this object, or null. */
    public SinkHandle handleOf(FrameSink sink) {
        for (SinkWorker w : fanout.workers()) {
            if (w.sink() == sink) {
                return w;
            }
        }
        return null;
    }

    /**
     * The registered plane sources changed; waits up to {@code wait} until the capture thread has
     * stopped using a removed one (or switched to a better one).
     *
     * @return true when the change was applied in time
     */
    public boolean sourcesChanged(Duration wait) {
        long ticket = signal.reselect();
        if (wait.isZero() || Thread.currentThread() == captureThread) {
            return false;
        }
        try {
            return signal.awaitReselect(ticket, wait.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void reopen() {
        if (!closed) {
            signal.reopen();
        }
    }

    public PipelineState state() {
        if (closed) {
            return PipelineState.CLOSED;
        }
        if (stall.overdue(setup.options().stallTimeout().toNanos())) {
            return PipelineState.STALLED;
        }
        return loop.state();
    }

    public PipelineStats stats() {
        PipelineState s = state();
        String reason = s == PipelineState.STALLED
                ? stall.call() + " has not returned for " + TimeUnit.NANOSECONDS.toMillis(stall.runningNanos()) + " ms"
                : loop.reason();
        List<SinkWorker> workers = fanout.workers();
        List<SinkStats> sinks = new ArrayList<>();
        List<LatencyWindow> windows = new ArrayList<>();
        long delivered = 0;
        long dropped = 0;
        long errors = 0;
        for (SinkWorker w : workers) {
            SinkStats ss = w.stats();
            sinks.add(ss);
            windows.add(w.latency());
            delivered += ss.delivered();
            dropped += ss.dropped();
            errors += ss.errors();
        }
        long[] latency = LatencyWindow.percentilesMicros(windows, 50, 99);
        long[] check = LatencyWindow.percentilesMicros(List.of(stats.changeCheck), 50, 99);
        return new PipelineStats(setup.name(), setup.spec(), s, reason == null ? "" : reason, loop.sourceType(),
                closed ? "" : loop.mode(), closed ? 0 : rate.rateHz(), stats.polls.sum(), stats.captured.sum(), stats.unchanged.sum(),
                stats.cursorUpdates.sum(), stats.deviceErrors.sum(), delivered, dropped, errors, latency[0], latency[1],
                check[0], check[1], sinks);
    }

    /**
     * Stops capture (waiting up to the stall timeout for the capture thread to release the device;
     * a thread blocked in a device call is abandoned and releases everything if the call returns),
     * then detaches every sink (waiting up to the detach timeout). Idempotent.
     */
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            t = captureThread;
        }
        signal.close();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(setup.options().stallTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.always(System.Logger.Level.WARNING, setup.label() + ": the capture thread is blocked in a device"
                        + " call (" + stall.call() + "); not waiting for it: it releases the device if the call returns");
            }
        }
        List<String> late = fanout.close(setup.options().detachTimeout().toNanos());
        if (!late.isEmpty()) {
            log.always(System.Logger.Level.WARNING, setup.label() + ": sinks " + late + " did not finish their call"
                    + " within " + setup.options().detachTimeout().toMillis() + " ms of the close; their threads"
                    + " release their buffers when the call returns");
        }
        log.flush();
    }

    public boolean isClosed() {
        return closed;
    }
}
