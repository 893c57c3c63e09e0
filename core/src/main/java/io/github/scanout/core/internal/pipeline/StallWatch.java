package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;

/**
 * Notes when the capture thread entered a device call (open, probe, acquire...) so that other
 * threads can tell it has been stuck there for longer than the stall timeout. A blocked ioctl
 * cannot be interrupted from Java; "timing out" means: the pipeline reports
 * {@code STALLED}, its sinks get noSignal, {@code close()} stops waiting for the capture thread
 * after the timeout, and capture resumes if the call ever returns.
 *
 * <p>Threads: written by the capture thread, read by anyone.
 */
@PipelineScope
final class StallWatch {
    private final Clock clock;
    private volatile long since;
    private volatile String what = "";

    @Inject
    StallWatch(Clock clock) {
        this.clock = clock;
    }

    void enter(String call) {
        what = call;
        since = clock.nanoTime() | 1L;
    }

    /** @return how long the call took, in nanoseconds */
    long exit() {
        long s = since;
        since = 0;
        return s == 0 ? 0 : clock.nanoTime() - s;
    }

    /** Nanoseconds the current call has run, 0 when none is running. */
    long runningNanos() {
        long s = since;
        return s == 0 ? 0 : Math.max(0, clock.nanoTime() - s);
    }

    String call() {
        return what;
    }
}
