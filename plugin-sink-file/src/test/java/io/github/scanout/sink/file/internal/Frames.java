package io.github.scanout.sink.file.internal;

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

/** Builds planes, buffers and frames over heap memory, as a plane source would hand them out. */
final class Frames {
    private Frames() {}

    static PlaneInfo plane(DrmFormat format, int width, int height, int stride) {
        return plane(format, width, height, stride, 7);
    }

    static PlaneInfo plane(DrmFormat format, int width, int height, int stride, long bufferId) {
        long size = PlaneInfo.requiredBytes(format, Modifier.LINEAR, width, height, stride);
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, format, Modifier.LINEAR, width, height, stride,
                size, 0, 0, Optional.empty(), bufferId);
    }

    /** Minimal stride for the format, plus {@code padding} bytes. */
    static int stride(DrmFormat format, int width, int padding) {
        return (int) PlaneInfo.rowBytes(format, width) + padding;
    }

    /** Random bytes for the whole layout (padding included), reproducible from the seed. */
    static ByteBuffer randomBytes(PlaneInfo info, long seed) {
        byte[] b = new byte[(int) info.requiredBytes()];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** XRGB8888 bytes of the given ARGB pixels (row-major, width x height), with padding. */
    static ByteBuffer xrgb(int[] argb, int width, int height, int stride) {
        ByteBuffer b = ByteBuffer.allocate(stride * (height - 1) + width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                b.putInt(y * stride + x * 4, argb[y * width + x] & 0xffffff);
            }
        }
        return b;
    }

    /** ARGB8888 bytes of the given pixels (alpha kept). */
    static ByteBuffer argb8888(int[] argb, int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < argb.length; i++) {
            b.putInt(i * 4, argb[i]);
        }
        return b;
    }

    static PlaneBuffer buffer(PlaneInfo info, MemoryKind memory, ByteBuffer pixels) {
        return PlaneBuffer.create(info, memory, pixels, null, null);
    }

    static PlaneBuffer solid(int width, int height, int rgb) {
        int[] px = new int[width * height];
        java.util.Arrays.fill(px, rgb);
        return buffer(plane(DrmFormat.XRGB8888, width, height, width * 4), MemoryKind.SNAPSHOT,
                xrgb(px, width, height, width * 4));
    }

    static Frame frame(PlaneBuffer primary, long sequence, long captureNanos) {
        return new Frame("sim:mdpy-vga", sequence, captureNanos, 1_700_000_000_000L + captureNanos / 1_000_000, primary,
                CursorState.hidden());
    }

    static Frame frame(PlaneBuffer primary, long sequence, long captureNanos, CursorState cursor) {
        return new Frame("sim:mdpy-vga", sequence, captureNanos, 1_700_000_000_000L + captureNanos / 1_000_000, primary,
                cursor);
    }

    /** A cursor of the given ARGB pixels at (x, y). */
    static CursorState cursor(int[] argb, int width, int height, int x, int y, boolean changed) {
        PlaneInfo info = new PlaneInfo(PlaneType.CURSOR, BufferType.REGION, DrmFormat.ARGB8888, Modifier.LINEAR, width,
                height, width * 4, width * height * 4L, x, y, Optional.of(new Hotspot(0, 0)), 9);
        PlaneBuffer image = buffer(info, MemoryKind.SNAPSHOT, argb8888(argb, width, height));
        return new CursorState(Optional.of(image), x, y, Optional.of(new Hotspot(0, 0)), changed);
    }

    /** Random ARGB pixels with alpha forced opaque. */
    static int[] opaque(int n, long seed) {
        Random r = new Random(seed);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = 0xff000000 | r.nextInt(0x1000000);
        }
        return px;
    }
}
