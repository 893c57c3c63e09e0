package io.github.scanout.bench;

import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.sim.fixture.RegionDevice;
import io.github.scanout.source.region.RegionSources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Frames per second a CPU sink that reads every byte receives from the region path, against
 * plain memory copies of the same size per second, at 1080p and 4K, in the same run. One
 * operation of {@link #region} is one frame delivered to and fully read by {@link ReadingSink};
 * one operation of {@link #memcpy} is one copy of a frame's bytes between two direct buffers
 * (the JDK's bulk copy, a {@code memcpy}). Same bytes per operation, so the ratio of the scores is
 * the ratio of bytes per second.
 *
 * <p>The region path is the real one: a {@link Pipeline} (core) over a simulated mdpy opened by
 * {@link Devices} (the sim's model under the VFIO marshalling, the framebuffer a real shared
 * mapping), the real region plane source ({@link RegionSources#create()}), polling at up to 1000 Hz. The guest changes its
 * picture (an 8-row column) each time the sink starts reading a frame, so the capture thread can
 * find the next change while the sink reads: a guest that always has a new frame.
 *
 * <p>Run with JMH's {@code -prof gc}: {@code gc.alloc.rate.norm} of {@link #region} is the
 * allocation per delivered frame of every thread in the JVM (capture, sink, benchmark, and the
 * guest's drawing). What the pipeline's own threads allocate ({@code scanout-capture-*},
 * {@code scanout-sink-*}; {@code ThreadMXBean.getThreadAllocatedBytes} per thread, so not JMH's
 * thread), less what the simulator allocates on those threads ({@link SimMeter}: its ioctl
 * emulation on the capture thread, the guest's drawing of its 8-pixel change inside the sink's
 * {@code onFrame}), is printed per iteration and appended to the file named by
 * {@value #ALLOC_FILE}, with the figure before that subtraction.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RegionCaptureBenchmark {

    /** System property: a file each iteration appends its pipeline threads' bytes per frame to. */
    static final String ALLOC_FILE = "bench.allocFile";

    /** The pipeline, its device and the reading sink. */
    @State(Scope.Thread)
    public static class Region {
        @Param({"1080p", "4k"})
        public String size;

        RegionDevice device;
        Pipeline pipeline;
        ReadingSink sink;
        SinkHandle handle;
        private long touches;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            device = RegionDevice.of(size);
            Devices devices = new Devices();
            pipeline = Pipeline.builder("bench")
                    .device(devices.open(SimMeter.wrap(device)))
                    .sources(List.of(RegionSources.create()))
                    .options(PipelineOptions.defaults().withMaxRate(PipelineOptions.MAX_RATE))
                    .build();
            Runnable touch = () -> device.touch(++touches);
            sink = new ReadingSink(() -> SimMeter.run(touch));
            handle = pipeline.attach(sink, "reader");
            sink.awaitNext();
            if (pipeline.state() != PipelineState.RUNNING || !"region".equals(pipeline.stats().source())) {
                throw new IllegalStateException("the pipeline is not capturing region planes: " + pipeline.stats());
            }
        }

        private long framesAtStart;
        private long allocatedAtStart;
        private long simAtStart;

        @Setup(Level.Iteration)
        public void startIteration() {
            framesAtStart = sink.frames();
            allocatedAtStart = PipelineThreads.allocatedBytes();
            simAtStart = SimMeter.pipelineThreadBytes();
        }

        /** Prints what the pipeline's own threads (capture, sink) allocated per frame. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            long frames = sink.frames() - framesAtStart;
            long bytes = PipelineThreads.allocatedBytes() - allocatedAtStart;
            long sim = SimMeter.pipelineThreadBytes() - simAtStart;
            System.out.printf(java.util.Locale.ROOT, "  [pipeline threads: %d B allocated per frame over %d frames,"
                    + " %d B of them by the simulator]%n", frames == 0 ? -1 : bytes / frames, frames,
                    frames == 0 ? -1 : sim / frames);
            // for BenchMain, in the parent JVM: one line per iteration: size, Scanout's bytes per frame, all bytes per frame
            String file = System.getProperty(ALLOC_FILE);
            if (file != null && frames > 0) {
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(file), size + " " + (bytes - sim) / frames + " " + bytes / frames + "\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (Boolean.getBoolean("bench.threads")) {
                System.out.println("  " + PipelineThreads.byThread());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            handle.close();
            pipeline.close();
        }
    }

    /** Two direct buffers of one frame's size. */
    @State(Scope.Thread)
    public static class Copy {
        @Param({"1080p", "4k"})
        public String size;

        ByteBuffer src;
        ByteBuffer dst;

        @Setup(Level.Trial)
        public void setUp() {
            int[] s = GlUploadBenchmark.size(size);
            src = GlUploadBenchmark.frame(s[0], s[1]);
            dst = ByteBuffer.allocateDirect(src.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Benchmark
    public long region(Region r) throws Exception {
        return r.sink.awaitNext();
    }

    @Benchmark
    public ByteBuffer memcpy(Copy c) {
        c.dst.clear();
        return c.dst.put(c.src.duplicate());
    }
}
