package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.Damage;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.PipelineState;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The capture loop of one pipeline, run on its own thread ({@code scanout-capture-<device>}),
 * which is also the pipeline's control thread: it opens the device, probes and opens plane
 * sources ({@link DeviceLifecycle}, on this thread), polls, and releases everything. No other
 * thread touches the device or the session, so a device whose ioctl blocks stalls only this
 * thread (see {@link StallWatch}).
 *
 * <p>Each tick: acquire the primary plane (a live view where the source has one) and look at all
 * of it once ({@link ChangeDetector#update}, which is the change check and the new baseline in one
 * pass); skip it when nothing is new; otherwise (taking a consistent snapshot first when a sink
 * needs one) publish it with the cursor, as soon as {@link RateController#mayPublish} allows. A
 * forced frame (a sink that needs consistent bytes just attached) over a live mapping is
 * snapshotted and published first, and the look is taken at that snapshot afterwards. The look
 * waits, for at most {@link #LOOK_WAIT_NANOS}, while every sink still has the newest frame queued
 * as a live view of the same plane ({@link #lookCanWait}): the sink reads the plane as it is when
 * it gets there, and the next look finds what changed since the last one.
 * Then the cursor ({@link CursorTracker}): a move with the same image goes out as a cursor-only
 * update, without the primary plane. A disabled primary plane is the "no signal" placeholder,
 * announced once per transition. Errors: transient ones are retried with back-off; others are
 * counted, logged at a limited rate and retried with back-off ({@link ErrorEpisode}: after 3 in a
 * row sinks are told); a vanished device (ENODEV) is handed to the device lifecycle, which
 * reports it once, releases everything and parks until the device is back or reopened.
 *
 * <p>Threads: {@link #run()} on the capture thread; the getters from any thread.
 */
@PipelineScope
final class CaptureLoop implements Runnable {

    static final String GUEST_NO_MODE = "the guest has not set a display mode yet";

    private final PipelineSetup setup;
    private final Clock clock;
    private final LoopSignal signal;
    private final StallWatch stall;
    /** The device and its plane session: opened, chosen, switched, parked and released there. */
    private final DeviceLifecycle devices;
    private final ChangeDetector primaryCheck;
    private final CursorTracker cursor;
    private final ErrorEpisode errors;
    private final Fanout fanout;
    private final RateController rate;
    private final StatsRecorder stats;
    private final ConditionLog log;
    private final long stallNanos;
    private final long opaqueRefreshNanos;

    // capture-thread state
    private long sequence;
    /** Publish the primary plane on the next tick even if nothing changed. */
    private boolean force;
    private boolean noSignal;
    private long lastPublished;
    /** What the device says changed in its primary plane (QEMU's D-Bus display); null: compare the pixels. */
    private DamageLog damageLog;
    /** The damage since the last published frame: what the next frame carries. */
    private Damage pending = Damage.UNKNOWN;

    private volatile PipelineState state = PipelineState.STARTING;
    private volatile String reason = "";
    /** The plane of the last published frame; null while nothing is shown. */
    private volatile PlaneInfo shown;

    /**
     * {@link #acquire} for the cursor tracker, made once (a lambda made per tick is garbage per
     * tick). The cursor's poll is watched for stalls from the tick's start (one clock reading less
     * a tick; early by the primary's poll and the change check, which no stall timeout of seconds
     * notices).
     */
    private final CursorTracker.Acquire acquirer =
            (plane, consistent, held) -> acquire(plane, consistent, this.tickStart, held);
    /** The primary plane's lease kept from one poll to the next where that pins nothing. */
    private final HeldLease primaryLease = new HeldLease();
    /** The change check's cost is sampled on one tick in {@code CHECK_SAMPLE_MASK + 1} (a clock reading each). */
    private static final int CHECK_SAMPLE_MASK = 15;
    /** Ticks with a primary plane, for the sampling of the change check's cost. Capture thread only. */
    private int ticks;
    /**
     * The longest the look at a live plane waits while every sink holds the newest frame
     * ({@link #lookCanWait}): one refresh at 60 Hz. A look compares with the last look, not with
     * what a sink read from its live view, so a picture that came and went between two looks can
     * be what a sink last read; looks at most this far apart keep that to pictures shorter-lived
     * than this, as a 60 Hz poll would (without the wait, one poll interval).
     */
    static final long LOOK_WAIT_NANOS = 1_000_000_000L / 60;
    /** When the primary plane was last looked at (nanoTime). Capture thread only. */
    private long lastLook;
    /** When the current tick started (nanoTime). Capture thread only. */
    private long tickStart;

    @Inject
    CaptureLoop(PipelineSetup setup, Clock clock, LoopSignal signal, StallWatch stall, SourceSelector selector,
            @Named("primary") ChangeDetector primaryCheck, @Named("cursor") ChangeDetector cursorCheck, Fanout fanout,
            RateController rate, StatsRecorder stats, ConditionLog log) {
        this.setup = setup;
        this.clock = clock;
        this.signal = signal;
        this.stall = stall;
        this.primaryCheck = primaryCheck;
        this.cursor = new CursorTracker(cursorCheck, log, setup.label());
        this.errors = new ErrorEpisode(log, setup.label());
        this.fanout = fanout;
        this.rate = rate;
        this.stats = stats;
        this.log = log;
        this.stallNanos = setup.options().stallTimeout().toNanos();
        this.opaqueRefreshNanos = setup.options().opaqueRefresh().toNanos();
        this.devices = new DeviceLifecycle(setup, clock, signal, stall, selector, log, new Lifecycle());
    }

    PipelineState state() {
        return state;
    }

    String reason() {
        return reason;
    }

    String sourceType() {
        return devices.sourceType();
    }

    /**
     * {@return the mode of the last published frame ({@code 1920x1080 XR24}; a detiled copy's is
     * linear), empty while nothing is shown}
     */
    String mode() {
        PlaneInfo p = shown;
        if (p == null) {
            return "";
        }
        return p.width() + "x" + p.height() + " " + p.format().code().trim()
                + (p.modifier().isLinear() ? "" : " " + p.modifier());
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            String why = "the capture thread died: " + e;
            log.report(System.Logger.Level.ERROR, "loop-died", setup.label() + ": " + why, e);
            setState(PipelineState.FAILED, why);
            fanout.publishNoSignal("device " + setup.name() + ": " + why);
            throw e;
        } finally {
            devices.release();
            if (signal.closing()) {
                setState(PipelineState.CLOSED, "");
            }
        }
    }

    private void loop() throws InterruptedException {
        long deadline = 0;
        while (true) {
            LoopSignal.Requests r = signal.take();
            if (r.closing()) {
                return;
            }
            if (r.reopen()) {
                devices.reopen();
            }
            if (r.forceFrame()) {
                force = true;
            }
            if (r.woken()) {
                rate.activity(clock.nanoTime());
                deadline = 0;
            }
            if (r.reselectTicket() > 0) {
                devices.reconsiderSources();
                signal.reselectDone(r.reselectTicket());
            }
            try {
                deadline = step(deadline);
            } catch (RuntimeException e) {
                // a bug of ours, not the device's: park with everything released, so reopen() still works
                String why = "the capture loop failed: " + e;
                log.report(System.Logger.Level.ERROR, "loop-failed", setup.label() + ": " + why, e);
                devices.failed(why);
            }
        }
    }

    /** Captures while a session is chosen (a tick when due); otherwise one step of the device's lifecycle. */
    private long step(long deadline) throws InterruptedException {
        if (!devices.capturing()) {
            devices.step();
            return 0; // the first tick after a source is chosen is forced (adopted), whatever the deadline
        }
        long next = deadline;
        if (clock.nanoTime() - deadline >= 0 || force) {
            try {
                next = tick();
            } catch (DeviceException e) {
                next = deviceError(e);
            }
        }
        if (devices.capturing()) {
            signal.awaitUntil(clock, next);
        }
        return next;
    }

    /** What the device lifecycle tells the loop (capture thread). */
    private final class Lifecycle implements DeviceLifecycle.Capture {
        @Override
        public void adopted() {
            primaryCheck.reset();
            damageLog = setup.damage().get().orElse(null);
            pending = Damage.UNKNOWN;
            cursor.restart();
            force = true;
        }

        @Override
        public void sessionClosing() {
            shown = null;
            cursor.clear();
            primaryLease.release();
            primaryCheck.reset();
            pending = Damage.UNKNOWN;
        }

        @Override
        public void released() {
            noSignal = false;
            shown = null;
            errors.clear();
        }

        @Override
        public void state(PipelineState s, String why) {
            setState(s, why);
        }

        @Override
        public void noSignal(String why) {
            fanout.publishNoSignal(why);
        }
    }

    // ---- one tick ------------------------------------------------------------------------------

    /** Polls once; returns the deadline of the next poll. */
    private long tick() throws DeviceException {
        long start = clock.nanoTime();
        tickStart = start;
        rate.tickBegins();
        stats.polls.increment();
        boolean consistent = fanout.wantsConsistent();
        // taken before the plane is read: a write racing with the read is in this damage or the next
        Damage said = damageLog == null ? Damage.UNKNOWN : takeDamage();
        pending = pending.plus(said);
        Optional<PlaneBuffer> got = acquire(PlaneType.PRIMARY, false, start, primaryLease.held());
        if (errors.recovered()) {
            force = true;
        }
        if (got.isEmpty()) {
            primaryLease.release();
            enterNoSignal();
            return rate.next(start, false, fanout.caughtUp());
        }
        // borrowed: the held lease keeps it until endPoll (and past it where that pins nothing)
        PlaneBuffer live = primaryLease.got(got.get());
        // the tick's start is the moment of capture, microseconds before the plane was in hand (the
        // clock is read as seldom as it can be: an unchanged poll is a few hundred nanoseconds,
        // one reading some forty on a virtual machine's clock)
        boolean published = false;
        long deferredTo = 0;
        try {
            boolean forced = force || noSignal;
            // A forced frame that a sink needs consistent, over a live mapping: its snapshot goes
            // out first and is then the baseline (deliver), so that the sink (one just attached,
            // waiting for its first frame) does not also wait for a pass over the live view. Not
            // for a mapped dma-buf: its snapshot may be a detiled copy of another layout, which
            // the next look would take for a change of buffer and publish again.
            boolean snapshotFirst = forced && consistent && live.memory() == MemoryKind.LIVE_MAPPING;
            boolean changed;
            if (snapshotFirst) {
                changed = true;
            } else if (!forced && lookCanWait(live, start)) {
                // every sink has yet to read the newest frame, a live view of this same plane: it
                // reads what the plane shows when it gets there; the next look finds what changed
                changed = false;
            } else {
                // looked at on all other ticks, forced or not: the look is also the baseline
                changed = look(live, said, start);
                if ((++ticks & CHECK_SAMPLE_MASK) == 0) {
                    stats.changeCheck.add(clock.nanoTime() - start);
                }
            }
            if (!changed && opaqueRefreshNanos > 0 && !live.cpuReadable()
                    && start - lastPublished >= opaqueRefreshNanos) {
                changed = true;
            }
            if (forced) {
                rate.published(start);
            } else if (changed && !rate.mayPublish(start)) {
                // the sinks have had their frames for now: this one goes out when its credit is there
                force = true;
                deferredTo = rate.creditDue(start);
                changed = false;
            }
            boolean cursorChanged = cursor.poll(acquirer, consistent);
            if (changed || forced) {
                if (!deliver(primaryLease.take(), consistent, start, snapshotFirst ? said : null)) {
                    return rate.next(start, false, fanout.caughtUp());
                }
                published = true;
            } else {
                if (deferredTo == 0) {
                    stats.unchanged.increment();
                }
                if (cursorChanged && !noSignal) {
                    stats.cursorUpdates.increment();
                    fanout.publishCursor(cursor.current());
                    published = true;
                }
            }
        } finally {
            primaryLease.endPoll();
        }
        long next = rate.next(start, published, fanout.caughtUp());
        return deferredTo != 0 ? Math.min(next, deferredTo) : next;
    }

    /**
     * Publishes a changed or forced frame, a snapshot of it when a sink needs consistent bytes and
     * it is a live view; takes over {@code live}. Out of {@link #tick} so that the poll of an
     * unchanged plane stays small enough for the JIT to compile it whole.
     *
     * @param baseline null when the change detector has looked at {@code live} already; else the
     *     device's damage for the look at the published frame, taken after it is published: what
     *     the next tick compares with is then exactly what the sinks got, so a write after the
     *     snapshot is seen on the next tick
     * @return false when the device showed no plane for the snapshot (no signal now)
     */
    private boolean deliver(PlaneBuffer live, boolean consistent, long start, Damage baseline)
            throws DeviceException {
        PlaneBuffer frame = live;
        if (consistent && !frame.memory().consistent()) {
            Optional<PlaneBuffer> snap;
            try {
                snap = acquire(PlaneType.PRIMARY, true, clock.nanoTime(), null);
            } finally {
                frame.close();
            }
            if (snap.isEmpty()) {
                enterNoSignal();
                return false;
            }
            frame = snap.get();
        }
        PlaneBuffer sent = baseline == null ? null : frame.retain();
        publish(frame, start);
        lastPublished = start;
        if (sent != null) {
            try {
                look(sent, baseline, start);
            } finally {
                sent.close();
            }
        }
        return true;
    }

    /** Looks at the primary plane ({@link ChangeDetector#update}, the new baseline); returns whether it changed. */
    private boolean look(PlaneBuffer plane, Damage said, long now) {
        lastLook = now;
        return primaryCheck.update(plane, said);
    }

    /**
     * Whether this tick's look at the primary plane can wait: the last look was less than
     * {@link #LOOK_WAIT_NANOS} before {@code now}, and every attached sink still has the last
     * published frame queued, untaken, and it is a live view of the same plane (same mode and
     * buffer) as {@code live} ({@link Fanout#everySinkHoldsLiveFrame}). Not with a damage log: its
     * damage goes to the look of the tick that takes it.
     */
    private boolean lookCanWait(PlaneBuffer live, long now) {
        if (damageLog != null || now - lastLook >= LOOK_WAIT_NANOS || !live.cpuReadable()
                || !fanout.everySinkHoldsLiveFrame()) {
            return false;
        }
        PlaneInfo info = live.info();
        return info == shown || info.equals(shown);
    }

    /** The device's damage; {@link Damage#UNKNOWN} (the pixels are compared) when its log fails. */
    private Damage takeDamage() {
        try {
            return damageLog.take();
        } catch (RuntimeException e) {
            log.report(System.Logger.Level.WARNING, "damage", setup.label() + ": the device's damage log failed ("
                    + e + "); comparing the pixels instead", e);
            return Damage.UNKNOWN;
        }
    }

    /**
     * Publishes a captured frame with the damage since the last one (unknown when the plane is
     * not the one last shown). Its wall-clock time is read here, for published frames only, and
     * set back by the time since {@code captureNanos}.
     */
    private void publish(PlaneBuffer buffer, long captureNanos) {
        long wallMillis = clock.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - captureNanos);
        PlaneInfo info = buffer.info();
        Damage damage = info == shown || info.equals(shown) ? pending : Damage.UNKNOWN;
        pending = Damage.NONE;
        if (info != shown) {
            shown = info;
        }
        stats.captured.increment();
        force = false;
        noSignal = false;
        // the state first: a sink that sees this frame must also see a RUNNING pipeline
        setState(PipelineState.RUNNING, "");
        fanout.publishFrame(new FrameSnapshot(++sequence, captureNanos, wallMillis, buffer, cursor.current(), damage));
    }

    private void enterNoSignal() {
        if (noSignal) {
            return;
        }
        noSignal = true;
        shown = null;
        primaryCheck.reset();
        pending = Damage.UNKNOWN;
        cursor.clear();
        setState(PipelineState.NO_SIGNAL, GUEST_NO_MODE);
        fanout.publishNoSignal(GUEST_NO_MODE);
    }

    /**
     * Acquires a plane from the session, watched for stalls from {@code now} (the caller's reading
     * of the clock). Its end is timed only after a watcher found it (or the poll before it)
     * stalled: an unchanged tick reads the clock once. {@code held}: the lease kept from the last
     * poll of the plane ({@link HeldLease}), which the session may answer with again.
     */
    private Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, long now, PlaneBuffer held)
            throws DeviceException {
        SourceSelector.Choice c = devices.choice();
        stall.enterPoll(plane.ordinal(), now);
        try {
            Optional<PlaneBuffer> b = c.session().acquire(plane, consistent, held);
            return b == null ? Optional.empty() : b;
        } catch (RuntimeException | LinkageError e) {
            throw new DeviceException("the " + c.type() + " plane source threw " + e, e);
        } finally {
            long took = stall.exitPoll();
            if (took > stallNanos) {
                force = true;
                log.clear("stalled");
                log.always(System.Logger.Level.INFO, setup.label() + ": the device answered again after "
                        + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
            }
        }
    }

    // ---- errors --------------------------------------------------------------------------------

    private long deviceError(DeviceException e) {
        if (e.isGone()) {
            devices.gone(e);
            return Long.MAX_VALUE;
        }
        stats.deviceErrors.increment();
        String why = DeviceLifecycle.message(e);
        if (errors.failed(e, why)) {
            String r = "device " + setup.name() + " answers with errors: " + why;
            shown = null;
            setState(PipelineState.ERROR, r);
            fanout.publishNoSignal(r);
            noSignal = false;
            force = true;
        }
        return clock.nanoTime() + rate.errorBackoff(errors.consecutive());
    }

    // ---- stepping (SteppedPipeline: benchmarks and tests run ticks on their own thread) ---------

    /** Opens the device and selects a source on the caller's thread; the capture thread is not started. */
    void openStepped() throws InterruptedException {
        devices.openNow();
        if (!devices.capturing()) {
            throw new IllegalStateException("no plane source was selected: " + state + " " + reason);
        }
    }

    /** One tick on the caller's thread; returns the deadline of the next poll. */
    long tickStepped() throws DeviceException {
        return tick();
    }

    /** Releases what {@link #openStepped} opened. */
    void releaseStepped() {
        devices.release();
    }

    private void setState(PipelineState s, String why) {
        reason = why;
        state = s;
    }
}
