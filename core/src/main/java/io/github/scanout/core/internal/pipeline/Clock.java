package io.github.scanout.core.internal.pipeline;

/** Time as the pipeline reads it; tests may give their own. Thread-safe. */
public interface Clock {

    /** Monotonic nanoseconds ({@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock milliseconds ({@link System#currentTimeMillis()}). */
    long currentTimeMillis();

    /**
     * CPU nanoseconds the calling thread has used, where the JVM can tell (a system call, so read
     * only where it pays); {@link #nanoTime()} otherwise, and in clocks of tests.
     */
    default long threadCpuNanos() {
        return nanoTime();
    }

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

        private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        private final boolean cpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();

        @Override
        public long threadCpuNanos() {
            return cpu ? threads.getCurrentThreadCpuTime() : System.nanoTime();
        }
    };
}
