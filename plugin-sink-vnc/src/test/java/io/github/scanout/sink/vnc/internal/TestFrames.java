package io.github.scanout.sink.vnc.internal;

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
}
