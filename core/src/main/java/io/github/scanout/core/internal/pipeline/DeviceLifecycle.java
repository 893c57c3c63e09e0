package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.support.Backoff;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.PipelineState;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The device and plane session of one pipeline, from opening to release, for the capture loop:
 * opens the device (a transient errno is tried again with {@link #START_BACKOFF}), chooses a plane
 * source ({@link SourceSelector}), switches sources when the registered ones change, parks a
 * device that failed, has no source or is gone, and tries a gone one again every
 * {@code rescan} while parked. The capture loop polls the chosen session ({@link #choice()})
 * while {@link #capturing()}.
 *
 * <p>What the loop keeps about the frames it captured (the change check, the cursor, what is
 * shown) is its own; it hears of a new session, a closed one and a released device through
 * {@link Capture}.
 *
 * <p>Threads: the capture thread only, except {@link #sourceType()} (any thread).
 */
final class DeviceLifecycle {

    /** Waits between tries after a transient errno while opening or probing (the one back-off policy type). */
    static final Backoff START_BACKOFF = Backoff.doubling(Duration.ofMillis(100), Duration.ofSeconds(2));

    /** A probe that keeps failing transiently this often (about a minute of back-off) is reported as no source. */
    static final int MAX_START_RETRIES = 36;

    /** What the capture loop does when the device or session changes. Capture thread. */
    interface Capture {
        /** A session was chosen: capture starts afresh with a forced frame. */
        void adopted();

        /** The session is being closed: forget what it showed and give its buffers back. */
        void sessionClosing();

        /** The device was released: nothing is shown and no error episode goes on. */
        void released();

        /** The pipeline's state and why. */
        void state(PipelineState state, String reason);

        /** What the sinks are told instead of a frame (failed, no source, gone). */
        void noSignal(String reason);
    }

    /** PARKED: failed or gone (a gone one is tried again at {@link #rescanAt}); NO_SOURCE: parked until the sources change. */
    private enum Mode { OPEN, SELECT, CAPTURE, PARKED, NO_SOURCE }

    private final PipelineSetup setup;
    private final Clock clock;
    private final LoopSignal signal;
    private final StallWatch stall;
    private final SourceSelector selector;
    private final ConditionLog log;
    private final Capture capture;
    /** 0: no rescan; else how often a gone device is tried again. */
    private final long rescanNanos;
    /** What the stall watch shows while a plane of the chosen source is acquired (built once per source, not per poll). */
    private final String[] acquiring = new String[PlaneType.values().length];

    private Mode mode = Mode.OPEN;
    private GfxDevice device;
    private SourceSelector.Choice choice;
    /** When the next rescan of a gone device is due; 0 when none is. */
    private long rescanAt;
    /** Transient failures in a row while opening or probing. */
    private int startRetries;
    private volatile String sourceType = "";

    DeviceLifecycle(PipelineSetup setup, Clock clock, LoopSignal signal, StallWatch stall, SourceSelector selector,
            ConditionLog log, Capture capture) {
        this.setup = setup;
        this.clock = clock;
        this.signal = signal;
        this.stall = stall;
        this.selector = selector;
        this.log = log;
        this.capture = capture;
        this.rescanNanos = setup.opener().reopens() ? setup.options().rescan().toNanos() : 0;
    }

    /** {@return whether a session is chosen and the loop polls it} */
    boolean capturing() {
        return mode == Mode.CAPTURE;
    }

    /** {@return the chosen session; null unless {@link #capturing()}} */
    SourceSelector.Choice choice() {
        return choice;
    }

    /** {@return the chosen source's buffer type, empty when none is chosen} */
    String sourceType() {
        return sourceType;
    }

    /**
     * One step towards capturing: opens the device, chooses a source, or waits while parked (and
     * tries a gone device again when its rescan is due). Returns when there is something else to
     * do: a step done, or the loop signalled.
     */
    void step() throws InterruptedException {
        switch (mode) {
            case OPEN -> open();
            case SELECT -> select();
            case NO_SOURCE -> signal.awaitUntil(clock, Long.MAX_VALUE);
            case PARKED -> {
                if (rescanAt == 0) {
                    signal.awaitUntil(clock, Long.MAX_VALUE);
                } else {
                    signal.awaitUntil(clock, rescanAt);
                    if (clock.nanoTime() - rescanAt >= 0) {
                        rescan();
                    }
                }
            }
            case CAPTURE -> throw new IllegalStateException("capturing: the loop polls");
        }
    }

    /**
     * Opens the device and chooses a source now, on the caller's thread (the stepped pipeline's
     * start); {@link #capturing()} says whether that worked.
     */
    void openNow() throws InterruptedException {
        open();
        if (mode == Mode.SELECT) {
            select();
        }
    }

    /** Asked to reopen: everything is released and the device opened again from scratch. */
    void reopen() {
        log.always(System.Logger.Level.INFO, setup.label() + ": reopening the device");
        release();
        capture.state(PipelineState.STARTING, "");
        mode = Mode.OPEN;
        rescanAt = 0;
    }

    /** A bug of ours while capturing: everything released, parked until a reopen. */
    void failed(String why) {
        release();
        capture.state(PipelineState.FAILED, why);
        capture.noSignal("device " + setup.name() + ": " + why);
        mode = Mode.PARKED;
        rescanAt = 0;
    }

    // ---- opening -------------------------------------------------------------------------------

    private void open() throws InterruptedException {
        stall.enter("opening the device");
        try {
            device = setup.opener().open();
            if (device == null) {
                throw new DeviceException("the opener returned no device");
            }
            mode = Mode.SELECT;
            startRetries = 0;
            log.clear("open");
        } catch (DeviceException e) {
            device = null;
            if (e.isTransient()) {
                retryLater("open", "opening " + setup.spec() + " failed: " + message(e));
                return;
            }
            if (e.isGone()) {
                // present in the configuration but away right now (a flapping or unplugged vGPU): the
                // same as a device that vanishes while polled, so the rescan finds it when it is back
                gone(e);
                return;
            }
            failedToOpen(e);
        } catch (RuntimeException e) {
            device = null;
            failedToOpen(e);
        } finally {
            stall.exit();
        }
    }

    /**
     * A transient errno (EAGAIN, ENOMEM, EINTR, EBUSY) while opening or probing: said once, tried
     * again after a back-off ({@link #START_BACKOFF}: 100 ms doubling to 2 s) in the same mode.
     */
    private void retryLater(String key, String why) throws InterruptedException {
        if (startRetries++ == 0) {
            log.report(System.Logger.Level.INFO, key + "-transient", setup.label() + ": " + why
                    + "; trying again", null);
        }
        signal.awaitUntil(clock, clock.nanoTime() + START_BACKOFF.delayNanos(startRetries));
    }

    private void failedToOpen(Exception e) {
        startRetries = 0;
        String why = "cannot open " + setup.spec() + ": " + message(e);
        capture.state(PipelineState.FAILED, why);
        log.report(System.Logger.Level.WARNING, "open", setup.label() + ": " + why
                + "; nothing is polled until the configuration changes or the pipeline is reopened", null);
        capture.noSignal("device " + setup.name() + ": " + why);
        mode = Mode.PARKED;
    }

    /** Tries to open a gone device again, quietly; says once when it is back. */
    private void rescan() {
        stall.enter("opening the device again");
        try {
            GfxDevice d = setup.opener().open();
            if (d == null) {
                throw new DeviceException("the opener returned no device");
            }
            device = d;
            rescanAt = 0;
            mode = Mode.SELECT;
            capture.state(PipelineState.STARTING, "");
            log.always(System.Logger.Level.INFO, setup.label() + ": device " + setup.name() + " is back; capturing"
                    + " again");
        } catch (DeviceException | RuntimeException e) {
            rescanAt = clock.nanoTime() + rescanNanos;
        } finally {
            stall.exit();
        }
    }

    // ---- the plane source ----------------------------------------------------------------------

    private void select() throws InterruptedException {
        try {
            adopt(selector.select(device));
            mode = Mode.CAPTURE;
            startRetries = 0;
            log.clear("no-source");
        } catch (NoSourceException e) {
            if (e.retry() && startRetries < MAX_START_RETRIES) {
                retryLater("probe", e.getMessage());
                return;
            }
            startRetries = 0;
            capture.state(PipelineState.NO_SOURCE, e.getMessage());
            log.report(System.Logger.Level.WARNING, "no-source", setup.label() + ": " + e.getMessage(), null);
            capture.noSignal(e.getMessage());
            mode = Mode.NO_SOURCE;
        } catch (DeviceException e) {
            gone(e);
        }
    }

    private void adopt(SourceSelector.Choice c) {
        choice = c;
        sourceType = c.type();
        for (PlaneType p : PlaneType.values()) {
            acquiring[p.ordinal()] = "acquiring the " + p.name().toLowerCase(Locale.ROOT) + " plane (" + c.type()
                    + ")";
        }
        stall.pollNames(acquiring);
        capture.adopted();
        log.always(System.Logger.Level.INFO, setup.label() + ": reading " + c.type() + " planes (priority "
                + c.priority() + ", " + c.source().getClass().getName() + ")");
    }

    /** The registered sources changed: stop using a removed one, switch to a better one. */
    void reconsiderSources() {
        if (mode == Mode.CAPTURE && choice != null) {
            if (!selector.stillRegistered(choice.source())) {
                log.always(System.Logger.Level.INFO, setup.label() + ": the " + choice.type()
                        + " plane source went away; probing again");
                closeSession();
                mode = Mode.SELECT;
                return;
            }
            try {
                SourceSelector.Choice better = selector.better(device, choice);
                if (better != null) {
                    log.always(System.Logger.Level.INFO, setup.label() + ": switching from " + choice.type() + " to "
                            + better.type());
                    closeSession();
                    adopt(better);
                }
            } catch (DeviceException e) {
                gone(e);
            }
        } else if (mode == Mode.NO_SOURCE) {
            mode = Mode.SELECT;
        }
    }

    // ---- release -------------------------------------------------------------------------------

    private void closeSession() {
        SourceSelector.Choice c = choice;
        choice = null;
        sourceType = "";
        capture.sessionClosing();
        if (c == null) {
            return;
        }
        stall.enter("closing the " + c.type() + " session");
        try {
            c.session().close();
        } catch (RuntimeException | LinkageError e) {
            log.report(System.Logger.Level.WARNING, "session-close", setup.label() + ": closing the " + c.type()
                    + " session failed: " + e, e);
        } finally {
            stall.exit();
        }
    }

    /** Closes the session and the device (the loop's end, a reopen, a failure). */
    void release() {
        closeSession();
        GfxDevice d = device;
        device = null;
        if (d != null) {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.report(System.Logger.Level.WARNING, "device-close", setup.label() + ": closing the device failed: "
                        + e, e);
            }
        }
        capture.released();
    }

    /** The device is gone (ENODEV): said once, everything released, parked until it is back. */
    void gone(DeviceException e) {
        String why = "device " + setup.name() + " is gone (" + message(e) + ")";
        long every = TimeUnit.NANOSECONDS.toMillis(rescanNanos);
        log.always(System.Logger.Level.WARNING, setup.label() + ": " + (rescanNanos > 0
                ? why + "; stopped polling it and released its buffers; it is opened again when it comes back (tried"
                        + " every " + every + " ms), when its configuration changes or when the pipeline is reopened"
                : why + "; stopped polling it and released its buffers; it is opened again when its configuration"
                        + " changes or the pipeline is reopened"));
        release();
        rescanAt = rescanNanos > 0 ? clock.nanoTime() + rescanNanos : 0;
        capture.state(PipelineState.GONE, why);
        capture.noSignal(why);
        mode = Mode.PARKED;
    }

    /** {@return an exception's message for a log line, or the exception itself when it has none} */
    static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
