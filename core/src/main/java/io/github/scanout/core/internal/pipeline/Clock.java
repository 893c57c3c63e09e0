package io.github.scanout.core.internal.pipeline;

/** Time as the pipeline reads it; tests may give their own. Thread-safe. */
public interface Clock {

    /** Monotonic nanoseconds ({@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock milliseconds ({@link System#currentTimeMillis()}). */
    long currentTimeMillis();

    /** The system clock. */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
