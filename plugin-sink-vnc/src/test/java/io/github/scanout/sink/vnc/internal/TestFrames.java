package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.Damage;
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
import java.util.Random;

/** Frames over heap memory, as a plane source hands them out, and test pictures. */
final class TestFrames {
    private TestFrames() {}

    /** An XRGB8888 frame of the given ARGB pixels. */
    static Frame frame(int[] argb, int width, int height, long sequence, CursorState cursor) {
        int stride = width * 4;
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888, Modifier.LINEAR, width,
                height, stride, (long) stride * height, 0, 0, Optional.empty(), 7);
        ByteBuffer b = ByteBuffer.allocate(stride * height).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < argb.length; i++) {
            b.putInt(i * 4, argb[i] & 0xffffff);
        }
        PlaneBuffer buffer = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, b, null, null);
        return new Frame("sim:test", sequence, System.nanoTime(), System.currentTimeMillis(), buffer, cursor);
    }

    static Frame frame(int[] argb, int width, int height, long sequence) {
        return frame(argb, width, height, sequence, CursorState.hidden());
    }

    /** A frame whose device said what changed since frame {@code sequence - 1}. */
    static Frame frame(int[] argb, int width, int height, long sequence, Damage damage) {
        Frame f = frame(argb, width, height, sequence, CursorState.hidden());
        return new Frame(f.device(), f.sequence(), f.captureNanos(), f.wallMillis(), f.primary(), f.cursor(), damage);
    }

    /** An ARGB8888 cursor at (x, y), hotspot (0, 0). */
    static CursorState cursor(int[] argb, int width, int height, int x, int y, boolean changed) {
        PlaneInfo info = new PlaneInfo(PlaneType.CURSOR, BufferType.REGION, DrmFormat.ARGB8888, Modifier.LINEAR, width,
                height, width * 4, width * height * 4L, x, y, Optional.of(new Hotspot(0, 0)), 9);
        ByteBuffer b = ByteBuffer.allocate(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < argb.length; i++) {
            b.putInt(i * 4, argb[i]);
        }
        PlaneBuffer image = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, b, null, null);
        return new CursorState(Optional.of(image), x, y, Optional.of(new Hotspot(0, 0)), changed);
    }

    /**
     * A picture with something in every tile: gradients, hard edges, a few flat areas and noise,
     * so that every ZRLE tile kind (solid, palette, raw) appears.
     */
    static int[] pattern(int width, int height, long seed) {
        Random r = new Random(seed);
        int[] px = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v;
                if (y < height / 4) {
                    v = ((x * 255 / Math.max(1, width - 1)) << 16) | ((y * 255 / Math.max(1, height / 4)) << 8) | 0x40;
                } else if (y < height / 2) {
                    v = ((x / 8 + y / 8) % 2 == 0) ? 0xffffff : 0x102030;
                } else if (y < 3 * height / 4) {
                    v = x < width / 2 ? 0x3366cc : (x / 3) % 5 * 0x202020;
                } else {
                    v = r.nextInt(0x1000000);
                }
                px[y * width + x] = 0xff000000 | v;
            }
        }
        return px;
    }

    /**
     * A desktop-like picture for lossy encodings: smooth gradients (where JPEG does well), flat
     * windows, and thin hard-edged lines of few colours (where the palette kinds do).
     */
    static int[] desktop(int width, int height) {
        int[] px = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = 40 + x * 160 / Math.max(1, width);
                int g = 60 + y * 120 / Math.max(1, height);
                int b = 150 + (x + y) * 80 / Math.max(1, width + height);
                int v = (r << 16) | (g << 8) | b;
                if (x > width / 8 && x < width / 2 && y > height / 8 && y < height / 2) {
                    v = (y - height / 8) % 12 < 2 ? 0x202020 : 0xf0f0f0; // a window with lines of "text"
                }
                if (x > width / 2 + 20 && x < width - 20 && y > height / 2 && y < height - 20) {
                    v = 0x2050a0; // a flat window
                }
                px[y * width + x] = 0xff000000 | v;
            }
        }
        return px;
    }

    /** Peak signal-to-noise ratio in dB of {@code actual} against {@code expected} over R, G and B. */
    static double psnr(int[] expected, int[] actual) {
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int d = ((expected[i] >>> shift) & 0xff) - ((actual[i] >>> shift) & 0xff);
                sum += d * d;
            }
        }
        double mse = sum / (expected.length * 3.0);
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }
}
