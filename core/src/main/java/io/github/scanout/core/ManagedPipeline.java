package io.github.scanout.core;

import io.github.scanout.api.sink.FrameSink;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The management view of one device's pipeline: what operator commands ({@code scanout:devices},
 * {@code scanout:stats}, {@code scanout:attach}) need. Inside OSGi every configured device is
 * registered as a service of this type, with the service property {@code device} set to
 * {@link #name()}; outside, {@link Pipeline} implements it.
 *
 * <p>Threads: every method may be called from any thread.
 */
@ProviderType
public interface ManagedPipeline {

    /**
     * The factory PID of device configurations ({@code conf/io.github.scanout.device-NAME.cfg}):
     * one pipeline per configuration.
     */
    String FACTORY_PID = "io.github.scanout.device";

    /** The device name sinks are matched against ({@code device} property of a sink). */
    String name();

    /** The device spec (mdev UUID, sysfs path or {@code scheme:...}). */
    String spec();

    /** What it is doing now. */
    PipelineState state();

    /** Its counters and its sinks' counters now. */
    PipelineStats stats();

    /** The attached sinks' counters now, in attach order. */
    default List<SinkStats> sinks() {
        return stats().sinks();
    }

    /**
     * Attaches a sink by hand (sinks registered as services are attached by the wiring).
     *
     * @param name a name unique on this pipeline, for stats and the thread name
     * @throws IllegalArgumentException when the name is taken
     * @throws IllegalStateException when the pipeline is closed
     */
    SinkHandle attach(FrameSink sink, String name);

    /**
     * Opens the device again (after {@link PipelineState#GONE} or {@link PipelineState#FAILED}, or
     * to start afresh): releases the device and everything from it, then opens, probes and
     * captures again. Returns at once; the capture thread does the work.
     */
    void reopen();
}
