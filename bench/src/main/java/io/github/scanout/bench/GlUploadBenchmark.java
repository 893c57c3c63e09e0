package io.github.scanout.bench;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.sink.gl.fixture.HeadlessGl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Frames per second of upload + draw + {@code glFinish} of an XRGB8888 frame at 1080p and 4K:
 * Scanout's headless GL sink (the whole path a frame takes: a lease, the latest-wins mailbox,
 * the GL thread, the upload into the texture, the full-screen draw with the shader's swizzle into
 * the FBO, then glFinish) against {@link BareLwjglLoop}, the same GL work written directly on the
 * benchmark thread. Same machine, same run. The frame sits in direct memory, as a mapped device
 * region does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GlUploadBenchmark {

    static int[] size(String name) {
        return switch (name) {
            case "1080p" -> new int[] {1920, 1080};
            case "4k" -> new int[] {3840, 2160};
            default -> throw new IllegalArgumentException("size must be 1080p or 4k, got " + name);
        };
    }

    static ByteBuffer frame(int w, int h) {
        ByteBuffer heap = TestPattern.xrgb8888(w, h);
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(heap).flip();
        return direct;
    }

    /** Scanout's GL sink, headless. */
    @State(Scope.Thread)
    public static class Scanout {
        @Param({"1080p", "4k"})
        public String size;

        HeadlessGl sink;
        PlaneInfo info;
        ByteBuffer pixels;
        long sequence;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            int[] s = size(size);
            info = TestPattern.plane(s[0], s[1]);
            pixels = frame(s[0], s[1]);
            sink = HeadlessGl.start("bench", 60);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sink.close();
        }
    }

    /** The bare LWJGL loop. */
    @State(Scope.Thread)
    public static class Bare {
        @Param({"1080p", "4k"})
        public String size;

        BareLwjglLoop loop;
        ByteBuffer pixels;

        @Setup(Level.Trial)
        public void setUp() {
            int[] s = size(size);
            pixels = frame(s[0], s[1]);
            loop = new BareLwjglLoop(s[0], s[1]);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            loop.close();
        }
    }

    @Benchmark
    public void scanout(Scanout s) throws Exception {
        try (PlaneBuffer b = PlaneBuffer.create(s.info, MemoryKind.LIVE_MAPPING, s.pixels, null, null)) {
            s.sink.drawAndFinish(new Frame("bench", ++s.sequence, System.nanoTime(), 0, b, CursorState.hidden()), 60);
        }
    }

    @Benchmark
    public void bareLwjgl(Bare b) {
        b.loop.frame(b.pixels);
    }
}
