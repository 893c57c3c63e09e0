package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.PipelineOptions;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What one pipeline is built from: the inputs of its {@link PipelineGraph}.
 *
 * @param name the device name (sinks' {@code device} property, {@code Frame.device()})
 * @param spec the device spec, for stats and messages
 * @param label how log lines name the pipeline, for example
 *     {@code device 'sim:mdpy-xga' (configuration io.github.scanout.device~desk)}
 * @param options polling and delivery options
 * @param opener opens the device (on the capture thread)
 * @param sources the plane sources registered now; asked again after
 *     {@code sourcesChanged()}
 * @param importers the importers registered now, in the order to try them; asked on every import
 */
public record PipelineSetup(
        String name,
        String spec,
        String label,
        PipelineOptions options,
        DeviceOpener opener,
        Supplier<List<PlaneSource>> sources,
        Supplier<List<BufferImporter>> importers) {

    public PipelineSetup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(importers, "importers");
    }
}
