package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.support.Backoff;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;

/**
 * When the capture loop polls next, and whether a change may go out now.
 *
 * <p>The base rate is the highest rate an attached sink asks for (its {@code maxFps}, 0 meaning
 * the configured rate), capped by the configured rate; with no sinks it is the idle interval.
 *
 * <ul>
 *   <li><b>A sink that needs low latency is attached</b> ({@code SinkNeeds.lowLatency}: a window,
 *       a remote viewer): the loop never backs off, and polls faster than the base rate when that
 *       buys latency, as often as a CPU budget allows: a tick may take {@value #BUDGET_PERCENT} %
 *       of one core on average (its measured CPU time, smoothed, over the interval), and the loop polls
 *       at most {@value #MAX_OVERSAMPLE} times per base interval and at most 1000 times a second.
 *       A change found by such a poll goes out at once, so the wait for the next poll (half the
 *       interval on average) is most of what a change waits.</li>
 *   <li><b>Otherwise</b> the loop polls at the base rate; when nothing has changed for
 *       {@code idleAfter} and every sink has the current frame, the interval grows by half each
 *       tick up to the idle interval (3 s, as QEMU idles when nobody watches); any change, any sink
 *       still busy, or an attach brings it back to the base at once.</li>
 * </ul>
 *
 * <p>Frames go out at no more than the base rate on average ({@link #mayPublish}: a credit of one
 * frame per base interval, at most {@value #BURST} saved up), so a fast poll shortens the wait for
 * an isolated change without flooding a sink with more frames than it asked for. Device errors back
 * off exponentially from the base to the idle interval.
 *
 * <p>Threads: capture thread; {@link #rateHz()} from any thread.
 */
@PipelineScope
final class RateController {

    /** Share of one core, in percent, that polling faster than the base rate may cost. */
    static final int BUDGET_PERCENT = 8;
    /** Polls per base interval at most, for low latency. */
    static final int MAX_OVERSAMPLE = 4;
    /** Frames that may go out back to back after a pause. */
    static final int BURST = 2;
    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(1);

    /** What the attached sinks ask for: the loop's rate and whether a person watches. */
    interface Demand {
        /** The highest rate a sink asks for, capped by {@code cap}; 0 with no sinks. */
        double wantedRate(double cap);

        /** Whether an attached sink declares {@code SinkNeeds.lowLatency}. */
        boolean wantsLowLatency();
    }

    private final Demand fanout;
    private final Clock clock;
    private final double cap;
    private final long idleMax;
    private final long idleAfter;
    private volatile long interval;
    private long lastActivity;
    /** What a tick costs in CPU time, smoothed (exponential moving average, 1/8 weight). */
    private long tickCost;
    /** The capture thread's CPU time when the current tick began; -1 when not measured. */
    private long tickCpuStart = -1;
    private double credit = BURST;
    private long creditAt;

    @Inject
    RateController(PipelineSetup setup, Fanout fanout, Clock clock) {
        this(setup.options(), fanout, clock);
    }

    RateController(io.github.scanout.core.PipelineOptions options, Demand fanout, Clock clock) {
        this.fanout = fanout;
        this.clock = clock;
        this.cap = options.maxRate();
        this.idleMax = options.idleInterval().toNanos();
        this.idleAfter = options.idleAfter().toNanos();
        this.lastActivity = clock.nanoTime();
        this.creditAt = lastActivity;
        this.interval = baseInterval();
    }

    /** The interval the sinks ask for now. */
    long baseInterval() {
        double hz = fanout.wantedRate(cap);
        if (hz <= 0) {
            return idleMax;
        }
        return Math.max(1, (long) (1e9 / hz));
    }

    /** Something happened (an attach): poll at the base rate again. */
    void activity(long now) {
        lastActivity = now;
        interval = baseInterval();
    }

    /**
     * The deadline of the next poll after a tick that started at {@code tickStart} (and ends
     * now: its CPU cost since {@link #tickBegins()} is measured here).
     *
     * @param changed whether the tick published something
     * @param caughtUp whether every sink has finished what it was given
     */
    long next(long tickStart, boolean changed, boolean caughtUp) {
        if (tickCpuStart >= 0) {
            long cost = Math.max(0, clock.threadCpuNanos() - tickCpuStart);
            tickCost = tickCost == 0 ? cost : tickCost + (cost - tickCost) / 8;
            tickCpuStart = -1;
        }
        long base = baseInterval();
        long i;
        if (fanout.wantsLowLatency()) {
            lastActivity = tickStart;
            i = fastInterval(base);
        } else if (changed || !caughtUp) {
            lastActivity = tickStart;
            i = base;
        } else if (tickStart - lastActivity >= idleAfter) {
            long grown = Math.max(base, interval + interval / 2);
            i = Math.min(Math.max(base, idleMax), grown);
        } else {
            i = base;
        }
        interval = i;
        return tickStart + i;
    }

    /**
     * A tick begins on the calling (capture) thread: while a low-latency sink is attached its CPU
     * time is measured up to {@link #next}, for the budget. CPU time, not wall time: on a loaded
     * machine a tick that waited for a core would otherwise look dear and slow the polls down
     * exactly when the wait for a core already adds latency. Not measured otherwise (reading a
     * thread's CPU time is a system call, as dear as the rest of an unchanged poll).
     */
    void tickBegins() {
        tickCpuStart = fanout.wantsLowLatency() ? clock.threadCpuNanos() : -1;
    }

    /** The poll interval for low latency: as short as the budget allows, within the limits above. */
    long fastInterval(long base) {
        long affordable = tickCost * 100 / BUDGET_PERCENT;
        long floor = Math.max(MIN_INTERVAL, base / MAX_OVERSAMPLE);
        return Math.min(base, Math.max(floor, affordable));
    }

    /**
     * Whether a changed frame may go out at {@code now}; if so, takes its credit. When not, the
     * caller publishes it on a later tick, at {@link #creditDue(long)} at the latest.
     */
    boolean mayPublish(long now) {
        refill(now);
        if (credit >= 1) {
            credit -= 1;
            return true;
        }
        return false;
    }

    /** A frame went out without asking (a newcomer's, a forced one): it uses credit too. */
    void published(long now) {
        refill(now);
        credit = Math.max(0, credit - 1);
    }

    /** When the next frame's credit is there. */
    long creditDue(long now) {
        refill(now);
        return credit >= 1 ? now : now + (long) ((1 - credit) * baseInterval());
    }

    private void refill(long now) {
        long elapsed = now - creditAt;
        creditAt = now;
        if (elapsed > 0) {
            credit = Math.min(BURST, credit + (double) elapsed / baseInterval());
        }
    }

    /** The delay before retrying after {@code consecutive} failed ticks. */
    long errorBackoff(int consecutive) {
        long base = baseInterval();
        // the one back-off policy type; the base follows the sinks' rate, so it is made per error episode step
        long i = new Backoff(base, Math.max(base, idleMax), 0).delayNanos(Math.max(consecutive, 1));
        interval = i;
        return i;
    }

    long intervalNanos() {
        return interval;
    }

    double rateHz() {
        return 1e9 / interval;
    }
}
