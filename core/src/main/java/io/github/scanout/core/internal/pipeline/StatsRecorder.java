package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline's own counters (sinks keep theirs in their {@link SinkWorker}).
 *
 * <p>Threads: written by the capture thread, read by anyone.
 */
@PipelineScope
final class StatsRecorder {
    final LongAdder polls = new LongAdder();
    final LongAdder captured = new LongAdder();
    final LongAdder unchanged = new LongAdder();
    final LongAdder cursorUpdates = new LongAdder();
    final LongAdder deviceErrors = new LongAdder();
    final LatencyWindow changeCheck = new LatencyWindow(1024);

    @Inject
    StatsRecorder() {}
}
