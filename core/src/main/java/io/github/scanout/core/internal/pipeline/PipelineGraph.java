package io.github.scanout.core.internal.pipeline;

import dagger.BindsInstance;
import io.github.scanout.api.support.Reporter;

/**
 * The fixed object graph of one pipeline, built by Dagger: {@link PipelineEngine} over the capture
 * loop, fan-out, rate controller, source selector, change detectors, import router, stats, stall
 * watch, loop signal, thread factory and rate-limited log, one of each per pipeline
 * ({@link PipelineScope}). Everything that changes at runtime (sources, sinks, importers,
 * providers) comes in through {@link PipelineSetup}'s suppliers and the engine's methods, never as
 * Dagger bindings.
 */
@PipelineScope
@dagger.Component(modules = PipelineModule.class)
public interface PipelineGraph {

    PipelineEngine engine();

    /** Builds a graph from the per-pipeline inputs. */
    @dagger.Component.Factory
    interface Factory {
        PipelineGraph create(@BindsInstance PipelineSetup setup, @BindsInstance Clock clock,
                @BindsInstance Reporter reporter);
    }

    /** A new graph (not started). */
    static PipelineGraph create(PipelineSetup setup, Clock clock, Reporter reporter) {
        return DaggerPipelineGraph.factory().create(setup, clock, reporter);
    }
}
