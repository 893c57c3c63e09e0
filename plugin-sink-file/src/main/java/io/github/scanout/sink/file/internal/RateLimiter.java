package io.github.scanout.sink.file.internal;

/**
 * At most {@code maxFps} written frames per second, on the capture clock. Frames are due on a
 * schedule of one slot every {@code 1/maxFps}: a frame that arrives a little late does not push
 * the schedule back (a 60 Hz source limited to 30 fps gives 30, not 20), and after a pause the
 * schedule restarts from the next frame.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class RateLimiter {
    private final long interval;
    private boolean started;
    private long next;

    /** @param maxFps frames per second; 0 = no limit */
    RateLimiter(double maxFps) {
        this.interval = maxFps <= 0 ? 0 : Math.max(1, Math.round(1e9 / maxFps));
    }

    /** Whether a frame captured at {@code nanos} may be written. */
    boolean due(long nanos) {
        return interval == 0 || !started || nanos - next >= 0;
    }

    /** A frame captured at {@code nanos} was written. */
    void wrote(long nanos) {
        if (interval == 0) {
            return;
        }
        if (!started || nanos - next >= interval) {
            next = nanos + interval; // first frame, or after a pause: restart the schedule
        } else {
            next += interval;
        }
        started = true;
    }
}
