package io.github.scanout.bench;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.fixture.CoreFixture;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.SteppedPipeline;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.source.dmabuf.DmaBufSources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
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
 * The cost of one poll of an unchanged simulated device against the two raw ioctls it rests on.
 *
 * <p>{@link #poll}: one tick of core's real capture loop ({@link SteppedPipeline}, core's supported hook for stepping the loop) over a simulated
 * Intel GVT-g ({@code sim:gvt}: a primary and an ARGB cursor plane, dma-bufs) read by the real
 * dma-buf plane source ({@link DmaBufSources#create()}), a null sink attached: both planes queried (the VFIO ioctl through
 * the sim's kernel), decoded and validated, the dma-buf cache consulted, change detection (by
 * identity for a dma-buf the CPU cannot map; by sampled content hash with {@code mmap=allow}),
 * rate control; unchanged, so nothing is dispatched except the 10 Hz re-send of an opaque
 * dma-buf the pipeline does by default. The loop keeps its lease of each fd-only plane from one
 * tick to the next and the session answers an unchanged plane with it: no lease is made.
 *
 * <p>{@link #rawIoctls}: the same device's two {@code VFIO_DEVICE_QUERY_GFX_PLANE} ioctls
 * (primary, cursor; dma-buf flag) with reused, re-zeroed argument buffers, nothing else. The
 * argument buffers are direct, as Scanout's own are (a heap buffer would be copied to native
 * memory by JNA on a real kernel; the simulator reads a direct argument through a view, which
 * costs it more than a heap array, so a heap baseline would count the simulator's extra work as
 * Scanout's overhead). {@link #rawIoctlsHeap} is the same with heap buffers, reported for
 * comparison.
 *
 * <p>{@link #sessionPoll}: the dma-buf source's session polled for both planes with the leases
 * it handed out last (as the loop does), without the capture loop: it splits a poll's cost into
 * the device and source (ioctls, the answer compared with the last, the held lease found) and
 * the loop (change check, cursor, rate, stall watch, clock reading).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PollBenchmark {

    /** A sink that takes everything and does nothing. */
    static final class NullSink implements FrameSink {
        volatile long frames;

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(false, false, Set.of(), 0);
        }

        @Override
        public void frame(Frame frame) {
            frames++;
        }
    }

    /** A capture loop driven tick by tick. */
    @State(Scope.Thread)
    public static class Poll {
        @Param({"sim:gvt", "sim:gvt?mmap=allow"})
        public String spec;

        SteppedPipeline harness;
        SinkHandle handle;
        NullSink sink;

        @Setup(Level.Trial)
        public void setUp() throws Throwable {
            SimDevice device = SimDevices.create(spec);
            Devices devices = new Devices();
            harness = Pipeline.builder("bench").device(devices.open(device)).sources(List.of(DmaBufSources.create()))
                .options(PipelineOptions.defaults()).buildStepped().open();
            sink = new NullSink();
            handle = harness.attach(sink, "null");
            harness.tick(); // the first frame (forced) goes to the sink
            if (!"dmabuf".equals(harness.sourceType())) {
                throw new IllegalStateException("not reading dma-bufs: " + harness.stats());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            handle.close();
            harness.close();
        }
    }

    /** The raw ioctls on an open simulated GVT-g device. */
    @State(Scope.Thread)
    public static class Raw {
        Kernel kernel;
        int fd;
        ByteBuffer primary;
        ByteBuffer cursor;
        ByteBuffer heapPrimary;
        ByteBuffer heapCursor;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            DeviceEndpoint.OpenDevice open = SimDevices.create("sim:gvt").open(CoreFixture.hostKernel());
            kernel = open.kernel();
            fd = open.fd();
            primary = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
            cursor = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
            heapPrimary = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            heapCursor = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            kernel.close(fd);
        }

        static ByteBuffer query(ByteBuffer b, PlaneType plane) {
            for (int i = 0; i < 64; i += 8) {
                b.putLong(i, 0);
            }
            b.putInt(0, 64);
            b.putInt(4, BufferType.DMABUF.flag());
            b.putInt(8, plane.drmValue());
            return b;
        }
    }

    @Benchmark
    public long poll(Poll p) throws Throwable {
        return p.harness.tick();
    }

    @Benchmark
    public int rawIoctls(Raw r) throws Exception {
        int a = r.kernel.ioctl(r.fd, Vfio.DEVICE_QUERY_GFX_PLANE, Raw.query(r.primary, PlaneType.PRIMARY));
        int b = r.kernel.ioctl(r.fd, Vfio.DEVICE_QUERY_GFX_PLANE, Raw.query(r.cursor, PlaneType.CURSOR));
        return a + b + r.cursor.getInt(56);
    }

    /** The dma-buf plane source's session on the same device, without the capture loop. */
    @State(Scope.Thread)
    public static class Session {
        GfxDevice device;
        PlaneSession session;
        PlaneBuffer primary;
        PlaneBuffer cursor;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            device = new Devices().open(SimDevices.create("sim:gvt"));
            session = DmaBufSources.create().open(device);
            primary = session.acquire(PlaneType.PRIMARY, false).orElseThrow();
            cursor = session.acquire(PlaneType.CURSOR, false).orElseThrow();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            primary.close();
            cursor.close();
            session.close();
            device.close();
        }
    }

    @Benchmark
    public Object sessionPoll(Session s) throws Exception {
        PlaneBuffer primary = s.session.acquire(PlaneType.PRIMARY, false, s.primary).orElseThrow();
        PlaneBuffer cursor = s.session.acquire(PlaneType.CURSOR, false, s.cursor).orElseThrow();
        if (primary != s.primary || cursor != s.cursor) {
            throw new IllegalStateException("an unchanged sim:gvt answered with a new lease");
        }
        return cursor;
    }

    @Benchmark
    public int rawIoctlsHeap(Raw r) throws Exception {
        int a = r.kernel.ioctl(r.fd, Vfio.DEVICE_QUERY_GFX_PLANE, Raw.query(r.heapPrimary, PlaneType.PRIMARY));
        int b = r.kernel.ioctl(r.fd, Vfio.DEVICE_QUERY_GFX_PLANE, Raw.query(r.heapCursor, PlaneType.CURSOR));
        return a + b + r.heapCursor.getInt(56);
    }
}
