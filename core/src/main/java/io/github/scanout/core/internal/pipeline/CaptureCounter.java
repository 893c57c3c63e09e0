package io.github.scanout.core.internal.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter that one thread adds to and any thread reads: the capture loop's counts of polls,
 * frames and errors. An add is a plain load and store (no atomic instruction: a poll of an
 * unchanged device adds to two counters and costs a few hundred nanoseconds in all); readers see
 * the count eventually, as with a {@link java.util.concurrent.atomic.LongAdder}'s sum.
 *
 * <p>Threads: {@link #increment} on one thread at a time (the capture thread; a new capture thread
 * starts after the old one ended), {@link #sum} on any.
 */
final class CaptureCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(CaptureCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long value;

    /** Adds one. The writing thread only. */
    void increment() {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
    }

    /** {@return the count} Any thread. */
    long sum() {
        return value;
    }
}
