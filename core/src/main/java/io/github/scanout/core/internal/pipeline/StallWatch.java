package io.github.scanout.core.internal.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jakarta.inject.Inject;

/**
 * Notes when the capture thread entered a device call (open, probe, acquire...) so that other
 * threads can tell it has been stuck there for longer than the stall timeout. A blocked ioctl
 * cannot be interrupted from Java; "timing out" means: the pipeline reports
 * {@code STALLED}, its sinks get noSignal, {@code close()} stops waiting for the capture thread
 * after the timeout, and capture resumes if the call ever returns.
 *
 * <p>Threads: written by the capture thread, read by anyone. A poll's calls are written with
 * release stores (plain stores on x86, no fence): the capture thread enters and leaves them
 * twice a tick, and a watcher that sees one a little late loses nothing.
 */
@PipelineScope
final class StallWatch {
    private static final VarHandle SINCE;
    private static final VarHandle PLANE;
    private static final VarHandle NOTICED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SINCE = l.findVarHandle(StallWatch.class, "since", long.class);
            PLANE = l.findVarHandle(StallWatch.class, "plane", int.class);
            NOTICED = l.findVarHandle(StallWatch.class, "noticed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock clock;
    private volatile long since;
    /** The call of {@link #enter(String)}; shown while {@link #plane} is -1. */
    private volatile String what = "";
    /** The plane being polled ({@link #enterPoll}), its index in {@link #polls}; -1 for other calls. */
    private volatile int plane = -1;
    /**
     * The start of a call a watcher found {@linkplain #overdue overdue}, 0 when none: the end of
     * that call (or, when the watcher looked just as it ended, of the next poll) is timed.
     */
    private volatile long noticed;
    /** What polling each plane is called in messages ({@link #pollNames}). */
    private volatile String[] polls = new String[0];

    @Inject
    StallWatch(Clock clock) {
        this.clock = clock;
    }

    /** Enters a call other than a poll (open, probe, close), now. */
    void enter(String call) {
        what = call;
        plane = -1;
        since = clock.nanoTime() | 1L;
    }

    /** Names the polls of each plane ({@code names[i]} for {@link #enterPoll} of {@code i}). */
    void pollNames(String[] names) {
        polls = names.clone();
    }

    /**
     * Enters the poll of plane {@code index} at {@code now} (the caller's reading of the clock).
     * Twice a tick, so it stores two numbers with release stores (plain stores on x86: no fence,
     * no reference for the garbage collector's write barrier).
     */
    void enterPoll(int index, long now) {
        if ((int) PLANE.getOpaque(this) != index) {
            PLANE.setRelease(this, index);
        }
        SINCE.setRelease(this, now | 1L);
    }

    /**
     * Leaves a poll without reading the clock (an unchanged tick reads it once, at its start).
     *
     * @return 0, or when a watcher found a call {@linkplain #overdue overdue} since the last exit,
     *     the nanoseconds from that call's start until now (the clock is read then only)
     */
    long exitPoll() {
        SINCE.setRelease(this, 0L);
        long n = (long) NOTICED.getOpaque(this);
        if (n == 0) {
            return 0;
        }
        NOTICED.setRelease(this, 0L);
        return clock.nanoTime() - n;
    }

    /**
     * For watchers: whether the call running now has run longer than {@code limitNanos}; if so
     * it is noted, so that its end is timed ({@link #exitPoll}).
     */
    boolean overdue(long limitNanos) {
        long s = since;
        if (s == 0 || clock.nanoTime() - s <= limitNanos) {
            return false;
        }
        noticed = s;
        return true;
    }

    /** Leaves a call other than a poll, now; returns how long it took, in nanoseconds. */
    long exit() {
        long s = since;
        since = 0;
        noticed = 0;
        return s == 0 ? 0 : clock.nanoTime() - s;
    }

    /** Nanoseconds the current call has run, 0 when none is running. */
    long runningNanos() {
        long s = since;
        return s == 0 ? 0 : Math.max(0, clock.nanoTime() - s);
    }

    String call() {
        int p = plane;
        String[] names = polls;
        return p >= 0 && p < names.length ? names[p] : what;
    }
}
