package io.github.scanout.core;

import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.core.internal.pipeline.Clock;
import io.github.scanout.core.internal.pipeline.DeviceOpener;
import io.github.scanout.core.internal.pipeline.PipelineEngine;
import io.github.scanout.core.internal.pipeline.PipelineGraph;
import io.github.scanout.core.internal.pipeline.PipelineSetup;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One device's pipeline, for integrators without OSGi: it opens the device, chooses the plane
 * source by probe, polls on its own thread ({@code scanout-capture-<name>}) and fans frames out to
 * attached sinks, each on its own thread ({@code scanout-sink-<sink>}) with a bounded drop-oldest
 * queue.
 *
 * <pre>{@code
 * Devices devices = new Devices();
 * try (Pipeline p = Pipeline.builder("desk")
 *         .open(devices, "sim:mbochs?mode=1024x768")
 *         .sources(List.of(dmabufSource, regionSource))
 *         .options(PipelineOptions.defaults().withMaxRate(30))
 *         .build();
 *      SinkHandle h = p.attach(mySink, "preview")) {
 *     ...
 *     System.out.println(p.stats());
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} starts the pipeline: the device is opened, probed and polled on the
 * capture thread, never on the caller's, so a device that cannot be opened or blocks shows up in
 * {@link #stats()} ({@link PipelineState#FAILED}, {@link PipelineState#STALLED}) instead of as an
 * exception. Sinks may be attached before the first frame; they get the current frame (or the
 * reason there is none) at once, then every change.
 *
 * <p>Threads: every method may be called from any thread except from inside a sink callback of
 * this pipeline ({@link #close()} and a detach wait for the sinks' threads).
 */
public final class Pipeline implements ManagedPipeline, AutoCloseable {

    private final PipelineEngine engine;

    private Pipeline(PipelineEngine engine) {
        this.engine = engine;
    }

    /**
     * A builder for a pipeline whose device is known by this name (the name sinks are matched
     * against in OSGi, and {@link io.github.scanout.api.sink.Frame#device()}).
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds and starts pipelines. Not thread-safe; use it on one thread. */
    public static final class Builder {
        private final String name;
        private String spec;
        private DeviceOpener opener;
        private String label;
        private PipelineOptions options = PipelineOptions.defaults();
        private Supplier<List<PlaneSource>> sources = List::of;
        private Supplier<List<BufferImporter>> importers = List::of;
        private Supplier<Optional<InputTarget>> input = Optional::empty;
        private Supplier<Optional<DamageLog>> damage = Optional::empty;
        private Clock clock = Clock.SYSTEM;
        private Reporter reporter = Reporter.system("io.github.scanout.pipeline");

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a pipeline name must not be blank");
            }
            this.name = name;
        }

        /**
         * Opens the device by spec through {@code devices} (on the capture thread, again on every
         * {@link #reopen()}).
         */
        public Builder open(Devices devices, String spec) {
            Objects.requireNonNull(devices, "devices");
            return open(() -> devices, spec);
        }

        /**
         * Like {@link #open(Devices, String)}, asking {@code devices} for a {@link Devices} at every
         * (re)open, so device providers that appear later are used. Sinks that forward input
         * ({@link io.github.scanout.api.input.InputForwarder}) get the device's input target
         * ({@link Devices#input(String)}) when they are attached. A device that says what changed
         * ({@link Devices#damage(String)}) is not hashed: its damage goes to the sinks with each frame.
         */
        public Builder open(Supplier<Devices> devices, String spec) {
            Objects.requireNonNull(devices, "devices");
            Objects.requireNonNull(spec, "spec");
            this.spec = spec;
            this.opener = () -> devices.get().open(spec);
            this.input = () -> devices.get().input(spec);
            this.damage = () -> devices.get().damage(spec);
            return this;
        }

        /**
         * Uses an open device; the pipeline owns it from now on and closes it on {@link #close()}
         * (or when it is gone). {@link #reopen()} cannot open it again.
         */
        public Builder device(GfxDevice device) {
            Objects.requireNonNull(device, "device");
            AtomicBoolean used = new AtomicBoolean();
            this.spec = device.name();
            this.opener = new DeviceOpener() {
                @Override
                public GfxDevice open() throws io.github.scanout.api.DeviceException {
                    if (used.getAndSet(true)) {
                        throw new io.github.scanout.api.DeviceException("device " + device.name() + " was handed to"
                                + " the pipeline open and cannot be opened again; build the pipeline with"
                                + " open(devices, spec) to reopen it");
                    }
                    return device;
                }

                @Override
                public boolean reopens() {
                    return false;
                }
            };
            return this;
        }

        /** The plane sources to choose from (a fixed list). */
        public Builder sources(Collection<? extends PlaneSource> fixed) {
            List<PlaneSource> copy = List.copyOf(fixed);
            this.sources = () -> copy;
            return this;
        }

        /**
         * The plane sources registered now, asked at every probe; call {@link #sourcesChanged}
         * when the answer changes.
         */
        public Builder sources(Supplier<List<PlaneSource>> current) {
            this.sources = Objects.requireNonNull(current, "current");
            return this;
        }

        /** The importers to try, in order (a fixed list). */
        public Builder importers(Collection<? extends BufferImporter> fixed) {
            List<BufferImporter> copy = List.copyOf(fixed);
            this.importers = () -> copy;
            return this;
        }

        /** The importers registered now, in the order to try them; asked on every import. */
        public Builder importers(Supplier<List<BufferImporter>> current) {
            this.importers = Objects.requireNonNull(current, "current");
            return this;
        }

        public Builder options(PipelineOptions newOptions) {
            this.options = Objects.requireNonNull(newOptions, "options");
            return this;
        }

        /**
         * How log lines name this pipeline, for example
         * {@code device 'desk' (configuration io.github.scanout.device~desk)}; default
         * {@code device '<name>'}.
         */
        public Builder label(String text) {
            this.label = Objects.requireNonNull(text, "label");
            return this;
        }

        Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Where the pipeline's operator lines go ({@code System.Logger} {@code io.github.scanout.pipeline} unless set; tests). */
        Builder reporter(Reporter reporter) {
            this.reporter = Objects.requireNonNull(reporter, "reporter");
            return this;
        }

        /**
         * Builds the pipeline without starting its capture thread: the caller opens the device
         * and runs the capture loop's ticks on its own thread (benchmarks, tests).
         *
         * @throws IllegalStateException when no device was given
         */
        public SteppedPipeline buildStepped() {
            return new SteppedPipeline(engine());
        }

        /**
         * Builds the pipeline and starts its capture thread.
         *
         * @throws IllegalStateException when no device was given ({@link #open} or {@link #device})
         */
        public Pipeline build() {
            PipelineEngine engine = engine();
            engine.start();
            return new Pipeline(engine);
        }

        private PipelineEngine engine() {
            if (opener == null) {
                throw new IllegalStateException("pipeline '" + name + "' has no device: call open(devices, spec) or"
                        + " device(gfxDevice)");
            }
            String l = label != null ? label : "device '" + name + "'";
            PipelineSetup setup = new PipelineSetup(name, spec, l, options, opener, sources, importers, input, damage);
            return PipelineGraph.create(setup, clock, reporter).engine();
        }
    }

    @Override
    public String name() {
        return engine.setup().name();
    }

    @Override
    public String spec() {
        return engine.setup().spec();
    }

    /** The options it was built with. */
    public PipelineOptions options() {
        return engine.setup().options();
    }

    @Override
    public PipelineState state() {
        return engine.state();
    }

    @Override
    public PipelineStats stats() {
        return engine.stats();
    }

    /**
     * Attaches a sink. It gets the current frame and cursor (or the no-signal reason) at once, then
     * every change; the capture rate is re-read at once. A sink that forwards input
     * ({@link io.github.scanout.api.input.InputForwarder}) is first handed the device's input
     * target, on this thread.
     *
     * @param name unique on this pipeline; its delivery thread is {@code scanout-sink-<name>}
     * @return the handle; closing it detaches the sink (bounded by the detach timeout)
     * @throws IllegalArgumentException when the name is taken or the sink's {@code needs()} fails
     * @throws IllegalStateException when the pipeline is closed
     */
    @Override
    public SinkHandle attach(FrameSink sink, String name) {
        return engine.attach(sink, name);
    }

    /**
     * Tells the pipeline that the plane sources (the supplier's answer) changed: if the one in use
     * is gone it is closed and the others are probed again; if a higher-priority one appeared, it
     * is probed and taken when it works. Waits up to {@code wait} until the capture thread has done
     * so (so that a removed source is no longer in use when this returns).
     *
     * @return true when the change was applied within {@code wait}
     */
    public boolean sourcesChanged(Duration wait) {
        return engine.sourcesChanged(wait);
    }

    @Override
    public void reopen() {
        engine.reopen();
    }

    /**
     * Stops capture and detaches every sink, then releases the device. Waits at most the stall
     * timeout for the capture thread and the detach timeout for the sinks; a thread stuck in a
     * device or sink call is left to finish on its own and releases what it holds afterwards.
     * Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "Pipeline[" + name() + ", " + state() + "]";
    }
}
