package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.List;

/**
 * Drives one real pipeline's {@link CaptureLoop} tick by tick on the caller's thread (for the
 * poll benchmark): the graph is core's own ({@link PipelineGraph}, the same objects a
 * {@code Pipeline} runs), but its capture thread is never started; instead the caller opens the
 * device, selects the plane source and then runs single ticks (the loop's own private methods,
 * reached through a private lookup: the bench module is on the plain class path). Sinks attach
 * through the engine as usual and run on their own threads.
 *
 * <p>Threads: one thread calls everything but {@link #attach} (which any thread may call), as the
 * capture thread would.
 */
public final class PollHarness implements AutoCloseable {
    private final PipelineEngine engine;
    private final CaptureLoop loop;
    private final MethodHandle tick;
    private final MethodHandle release;

    public PollHarness(String name, DeviceOpener opener, List<PlaneSource> sources, PipelineOptions options)
            throws Throwable {
        PipelineSetup setup = new PipelineSetup(name, name, "bench '" + name + "'", options, opener, () -> sources,
                List::of);
        engine = PipelineGraph.create(setup, Clock.SYSTEM, LogSink.system("io.github.scanout.bench")).engine();
        Field f = PipelineEngine.class.getDeclaredField("loop");
        f.setAccessible(true);
        loop = (CaptureLoop) f.get(engine);
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(CaptureLoop.class, MethodHandles.lookup());
        MethodType none = MethodType.methodType(void.class);
        l.findVirtual(CaptureLoop.class, "open", none).invoke(loop);
        l.findVirtual(CaptureLoop.class, "select", none).invoke(loop);
        if (loop.sourceType().isEmpty()) {
            throw new IllegalStateException("no plane source was selected: " + loop.state() + " " + loop.reason());
        }
        tick = l.findVirtual(CaptureLoop.class, "tick", MethodType.methodType(long.class)).bindTo(loop);
        release = l.findVirtual(CaptureLoop.class, "releaseDevice", none).bindTo(loop);
    }

    public SinkHandle attach(FrameSink sink, String name) {
        return engine.attach(sink, name);
    }

    /** One tick of the capture loop: primary and cursor queried, checked and dispatched. */
    public long poll() throws Throwable {
        return (long) tick.invokeExact();
    }

    public String sourceType() {
        return loop.sourceType();
    }

    public PipelineStats stats() {
        return engine.stats();
    }

    @Override
    public void close() {
        try {
            release.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("releasing the device failed", e);
        } finally {
            engine.close();
        }
    }
}
