package io.github.scanout.sink.file.internal;

/**
 * At most {@code maxFps} written frames per second, on the capture clock. Frames are due on a
 * schedule of one slot every {@code 1/maxFps}:
 * <ul>
 *   <li>a frame that arrives a little late does not push the schedule back (a 60 Hz source
 *       limited to 30 fps gives 30, not 20);
 *   <li>a frame up to an eighth of the interval early counts for its slot: the pipeline paces
 *       delivery to {@code SinkNeeds.maxFps} itself and sends only changed frames, so a paced
 *       frame refused for arriving a millisecond early might never be followed by another;
 *   <li>after a pause the schedule restarts from the next frame.
 * </ul>
 * Over any long stretch no more than {@code maxFps} frames per second are accepted, because
 * each accepted frame moves the schedule one whole interval.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class RateLimiter {
    private final long interval;
    private final long slack;
    private boolean started;
    private long next;

    /** @param maxFps frames per second; 0 = no limit */
    RateLimiter(double maxFps) {
        this.interval = maxFps <= 0 ? 0 : Math.max(1, Math.round(1e9 / maxFps));
        this.slack = interval / 8;
    }

    /** Whether a frame captured at {@code nanos} may be written. */
    boolean due(long nanos) {
        return interval == 0 || !started || nanos - next >= -slack;
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
