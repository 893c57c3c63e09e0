package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.support.ConditionLog;
import jakarta.inject.Inject;

/**
 * Makes the pipeline's threads: {@code scanout-capture-<device>} and {@code scanout-sink-<name>},
 * daemons (a thread stuck in a blocked ioctl must not keep the JVM alive), with an uncaught
 * exception handler that logs.
 *
 * <p>Threads: any.
 */
@PipelineScope
final class PipelineThreads {
    private final PipelineSetup setup;
    private final ConditionLog log;

    @Inject
    PipelineThreads(PipelineSetup setup, ConditionLog log) {
        this.setup = setup;
        this.log = log;
    }

    Thread capture(Runnable body) {
        return make("scanout-capture-" + setup.name(), body);
    }

    Thread sink(String sinkName, Runnable body) {
        return make("scanout-sink-" + sinkName, body);
    }

    private Thread make(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> log.report(System.Logger.Level.ERROR, "uncaught:" + thread.getName(),
                setup.label() + ": thread " + thread.getName() + " died: " + e, e));
        return t;
    }
}
