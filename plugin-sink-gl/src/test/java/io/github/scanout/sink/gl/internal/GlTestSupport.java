package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers: skipping without EGL/Mesa, buffers, frames. */
final class GlTestSupport {
    private GlTestSupport() {}

    static final long TIMEOUT_S = 30;

    /** Skips the test, naming the missing piece, when headless EGL cannot start here. */
    static void assumeHeadlessGl() {
        String problem = HeadlessProbe.problem();
        Assumptions.assumeTrue(problem == null, problem);
    }

    /** Probes headless EGL once per JVM on a throwaway thread. */
    static final class HeadlessProbe {
        private static String problem;
        private static boolean probed;

        static synchronized String problem() {
            if (!probed) {
                probed = true;
                String[] out = new String[1];
                Thread t = new Thread(() -> {
                    try (EglHeadless h = EglHeadless.create(EglPlatform.AUTO)) {
                        out[0] = null;
                    } catch (GlUnavailableException e) {
                        out[0] = e.getMessage();
                    } catch (Throwable e) {
                        out[0] = "headless EGL failed: " + e;
                    }
                });
                t.start();
                try {
                    t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                problem = t.isAlive() ? "headless EGL start-up hung for " + TIMEOUT_S + " s" : out[0];
            }
            return problem;
        }
    }

    static PlaneInfo plane(DrmFormat format, int w, int h, int stride) {
        return plane(format, Modifier.LINEAR, w, h, stride, PlaneType.PRIMARY);
    }

    static PlaneInfo plane(DrmFormat format, Modifier modifier, int w, int h, int stride, PlaneType type) {
        long size = PlaneInfo.requiredBytes(format, modifier, w, h, stride);
        return new PlaneInfo(type, BufferType.REGION, format, modifier, w, h, stride, size, 0, 0, Optional.empty(), 16);
    }

    /** Deterministic noise in every byte, padding included. */
    static ByteBuffer noise(PlaneInfo info, long seed, boolean direct) {
        int n = Math.toIntExact(info.requiredBytes());
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        b.order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b.put((byte) r.nextInt(256));
        }
        b.flip();
        return b;
    }

    /** A SNAPSHOT buffer of these bytes. */
    static PlaneBuffer snapshot(PlaneInfo info, ByteBuffer bytes) {
        return PlaneBuffer.create(info, MemoryKind.SNAPSHOT, bytes, null, null);
    }

    /** XRGB8888 pixels (0xAARRGGBB ints, alpha ignored) as a tightly packed SNAPSHOT buffer. */
    static PlaneBuffer argbBuffer(DrmFormat format, int w, int h, int[] argb, PlaneType type) {
        PlaneInfo info = plane(format, Modifier.LINEAR, w, h, w * 4, type);
        ByteBuffer b = ByteBuffer.allocate(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(argb);
        return PlaneBuffer.create(info, MemoryKind.SNAPSHOT, b, null, null);
    }

    static Frame frame(PlaneBuffer primary, long seq) {
        return new Frame("test", seq, System.nanoTime(), System.currentTimeMillis(), primary, CursorState.hidden());
    }

    static Frame frame(PlaneBuffer primary, long seq, CursorState cursor) {
        return new Frame("test", seq, System.nanoTime(), System.currentTimeMillis(), primary, cursor);
    }

    static CursorState cursor(PlaneBuffer image, int x, int y, Hotspot hotspot, boolean changed) {
        return new CursorState(Optional.of(image), x, y, Optional.ofNullable(hotspot), changed);
    }

    /** Index and values of the first difference, or null when equal. */
    static String firstDifference(int[] expected, int[] actual, int width) {
        if (expected.length != actual.length) {
            return "length " + actual.length + " != " + expected.length;
        }
        int count = 0;
        String first = null;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                if (first == null) {
                    first = String.format("at (%d,%d) expected %08x got %08x", i % width, i / width, expected[i], actual[i]);
                }
                count++;
            }
        }
        return first == null ? null : first + " (" + count + " pixels differ)";
    }
}
