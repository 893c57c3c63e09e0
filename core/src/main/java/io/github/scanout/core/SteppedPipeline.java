package io.github.scanout.core;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.core.internal.pipeline.PipelineEngine;

/**
 * A pipeline whose capture loop runs on the caller's thread, one tick at a time: the same object
 * graph, device, plane source, change check and fan-out as a {@link Pipeline}, but no capture
 * thread. For benchmarks and tests that measure or step a poll; a running service uses
 * {@link Pipeline}. Sinks attach as usual and run on their own threads.
 *
 * <p>Threads: one thread calls {@link #open()}, {@link #tick()} and {@link #close()}, as the
 * capture thread would; {@link #attach} and {@link #stats()} from any thread.
 */
public final class SteppedPipeline implements AutoCloseable {

    private final PipelineEngine engine;
    private boolean opened;

    SteppedPipeline(PipelineEngine engine) {
        this.engine = engine;
    }

    /**
     * Opens the device and selects a plane source (what the capture thread does first).
     *
     * @throws IllegalStateException when the device cannot be opened or no source fits (the
     *     message has the pipeline's state and reason)
     */
    public SteppedPipeline open() throws InterruptedException {
        engine.openStepped();
        opened = true;
        return this;
    }

    /**
     * One poll: the primary and cursor planes queried, checked and published to the sinks.
     *
     * @return when the loop would poll next ({@link System#nanoTime()})
     * @throws DeviceException what the device answered, as the capture loop would handle it
     */
    public long tick() throws DeviceException {
        if (!opened) {
            throw new IllegalStateException("open() the stepped pipeline first");
        }
        return engine.tickStepped();
    }

    /** The plane source's type in use ("region", "dmabuf", ...). */
    public String sourceType() {
        return engine.stats().source();
    }

    public SinkHandle attach(FrameSink sink, String name) {
        return engine.attach(sink, name);
    }

    public PipelineStats stats() {
        return engine.stats();
    }

    /** Releases the device and detaches every sink. */
    @Override
    public void close() {
        try {
            if (opened) {
                engine.releaseStepped();
            }
        } finally {
            engine.close();
        }
    }
}
