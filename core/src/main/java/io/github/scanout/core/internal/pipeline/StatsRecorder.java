package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;

/**
 * The pipeline's own counters (sinks keep theirs in their {@link SinkWorker}).
 *
 * <p>Threads: written by the capture thread, read by anyone.
 */
@PipelineScope
final class StatsRecorder {
    final CaptureCounter polls = new CaptureCounter();
    final CaptureCounter captured = new CaptureCounter();
    final CaptureCounter unchanged = new CaptureCounter();
    final CaptureCounter cursorUpdates = new CaptureCounter();
    final CaptureCounter deviceErrors = new CaptureCounter();
    final LatencyWindow changeCheck = new LatencyWindow(1024);

    @Inject
    StatsRecorder() {}
}
