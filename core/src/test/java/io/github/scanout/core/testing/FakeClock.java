package io.github.scanout.core.testing;

import io.github.scanout.core.internal.pipeline.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A clock that moves only when a test moves it: {@link #now} is the monotonic time, {@link #cpu}
 * the calling thread's CPU time. Volatile, so that a capture loop stepped on the test's thread and
 * the sink threads beside it read what the test set.
 */
public final class FakeClock implements Clock {
    /** Monotonic nanoseconds; starts at one second. */
    public volatile long now = TimeUnit.SECONDS.toNanos(1);
    /** What {@link #threadCpuNanos()} answers. */
    public volatile long cpu;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long currentTimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(now);
    }

    @Override
    public long threadCpuNanos() {
        return cpu;
    }

    /** Moves the clock on by {@code ms} milliseconds. */
    public void advanceMillis(long ms) {
        now += TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
