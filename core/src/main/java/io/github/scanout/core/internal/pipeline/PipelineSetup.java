package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.PipelineOptions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * @param input where viewers' input for the device goes (empty: a view-only device); asked when a
 *     sink that forwards input is attached
 * @param damage what the device says changed (empty: the pipeline compares the pixels); asked
 *     when the device is opened
 */
public record PipelineSetup(
        String name,
        String spec,
        String label,
        PipelineOptions options,
        DeviceOpener opener,
        Supplier<List<PlaneSource>> sources,
        Supplier<List<BufferImporter>> importers,
        Supplier<Optional<InputTarget>> input,
        Supplier<Optional<DamageLog>> damage) {

    public PipelineSetup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(importers, "importers");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(damage, "damage");
    }

    /** A setup for a view-only device. */
    public PipelineSetup(String name, String spec, String label, PipelineOptions options, DeviceOpener opener,
            Supplier<List<PlaneSource>> sources, Supplier<List<BufferImporter>> importers) {
        this(name, spec, label, options, opener, sources, importers, Optional::empty, Optional::empty);
    }
}
