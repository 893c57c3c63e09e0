package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;

/**
 * When the capture loop polls next. The base rate is the highest rate an attached sink asks for
 * (its {@code maxFps}, 0 meaning the configured rate), capped by the configured rate; with no
 * sinks it is the idle interval. When nothing has changed for {@code idleAfter} and every sink has
 * the current frame, the interval grows by half each tick up to the idle interval (3 s, as QEMU
 * idles); any change, any sink still busy, or an attach brings it back to the base at once.
 * Device errors back off exponentially from the base to the idle interval.
 *
 * <p>Threads: capture thread; {@link #rateHz()} from any thread.
 */
@PipelineScope
final class RateController {

    /** The sampled change check aims to cover the whole frame this often (one phase per tick at 60 Hz). */
    static final long COVERAGE_NANOS = TimeUnit.MILLISECONDS.toNanos(140);

    private final Fanout fanout;
    private final double cap;
    private final long idleMax;
    private final long idleAfter;
    private volatile long interval;
    private long lastActivity;

    @Inject
    RateController(PipelineSetup setup, Fanout fanout, Clock clock) {
        this.fanout = fanout;
        this.cap = setup.options().maxRate();
        this.idleMax = setup.options().idleInterval().toNanos();
        this.idleAfter = setup.options().idleAfter().toNanos();
        this.lastActivity = clock.nanoTime();
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
     * The deadline of the next poll after a tick that started at {@code tickStart}.
     *
     * @param changed whether the tick published something
     * @param caughtUp whether every sink has finished what it was given
     */
    long next(long tickStart, boolean changed, boolean caughtUp) {
        long base = baseInterval();
        long ceiling = Math.max(base, idleMax);
        long i;
        if (changed || !caughtUp) {
            lastActivity = tickStart;
            i = base;
        } else if (tickStart - lastActivity >= idleAfter) {
            long grown = Math.max(base, interval + interval / 2);
            i = Math.min(ceiling, grown);
        } else {
            i = base;
        }
        interval = i;
        return tickStart + i;
    }

    /** The delay before retrying after {@code consecutive} failed ticks. */
    long errorBackoff(int consecutive) {
        long base = baseInterval();
        long ceiling = Math.max(base, idleMax);
        int shift = Math.min(Math.max(consecutive - 1, 0), 20);
        long d = base << shift;
        long i = d <= 0 || d > ceiling ? ceiling : d;
        interval = i;
        return i;
    }

    /** How many change-check phases to hash per tick so the frame is covered about every 140 ms. */
    int phasesPerTick() {
        long i = interval;
        long n = (ChangeDetector.PHASES * i + COVERAGE_NANOS - 1) / COVERAGE_NANOS;
        return (int) Math.max(1, Math.min(ChangeDetector.PHASES, n));
    }

    long intervalNanos() {
        return interval;
    }

    double rateHz() {
        return 1e9 / interval;
    }
}
