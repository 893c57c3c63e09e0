package io.github.scanout.api.pixels;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts linear pixel rows of any supported format to canonical {@code 0xAARRGGBB} ints.
 *
 * <p>Formats without alpha get alpha 0xFF. 10-bit channels are rounded to 8 bits
 * ({@code (v * 255 + 511) / 1023}); 5- and 6-bit channels are widened by bit replication.
 * Packed 4:2:2 YUV is decoded as BT.601 limited range (the ABI carries no colour space; this
 * is what Intel hardware scans out by default), with each chroma pair shared by two pixels.
 * C8 (no palette in the ABI) and unknown codes are refused with the fourcc in the message.
 *
 * <p>Tiled buffers must be detiled first (the dma-buf source hands out linear snapshots).
 * Stateless and thread-safe.
 */
public final class PixelConverter {
    private PixelConverter() {}

    /**
     * Throws when the CPU conversion cannot handle this format.
     *
     * @param format the plane's format
     * @throws UnsupportedOperationException naming the fourcc and why
     */
    public static void requireSupported(DrmFormat format) {
        if (format.equals(DrmFormat.C8)) {
            throw new UnsupportedOperationException("format C8 (0x" + Integer.toHexString(format.fourcc())
                    + ") cannot be shown: it is palette-indexed and the VFIO ABI carries no palette");
        }
        if (!format.isKnown()) {
            throw new UnsupportedOperationException("unknown DRM format " + format + " (0x"
                    + Integer.toHexString(format.fourcc()) + "); supported: " + DrmFormat.known());
        }
    }

    /**
     * Whether {@link #convertRow} handles this format.
     *
     * @param format the plane's format
     * @return true for every known format but C8
     */
    public static boolean isSupported(DrmFormat format) {
        return format.isKnown() && !format.equals(DrmFormat.C8);
    }

    /**
     * Converts one row.
     *
     * @param info the plane (format, width, stride); must be linear
     * @param src the buffer's bytes, from index 0 (absolute indexing: position is ignored)
     * @param row the row, 0 to height - 1
     * @param dst receives {@code info.width()} ARGB ints from {@code dstOffset}
     * @param dstOffset the index in {@code dst} of the row's first pixel
     * @throws IllegalArgumentException when the buffer is tiled
     * @throws UnsupportedOperationException when the format is not supported
     */
    public static void convertRow(PlaneInfo info, ByteBuffer src, int row, int[] dst, int dstOffset) {
        if (!info.modifier().isLinear()) {
            throw new IllegalArgumentException("buffer is " + info.modifier() + ": detile it before converting");
        }
        requireSupported(info.format());
        ByteBuffer le = src.order() == ByteOrder.LITTLE_ENDIAN ? src : src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = Math.toIntExact((long) row * info.stride());
        convert(info.format(), le, base, info.width(), dst, dstOffset);
    }

    /**
     * Converts the whole plane.
     *
     * @param info the plane; must be linear
     * @param src the buffer's bytes, from index 0
     * @return {@code width * height} ARGB ints, row after row
     */
    public static int[] toArgb(PlaneInfo info, ByteBuffer src) {
        int[] out = new int[Math.multiplyExact(info.width(), info.height())];
        for (int y = 0; y < info.height(); y++) {
            convertRow(info, src, y, out, y * info.width());
        }
        return out;
    }

    private static void convert(DrmFormat f, ByteBuffer s, int base, int width, int[] d, int o) {
        int fourcc = f.fourcc();
        if (fourcc == DrmFormat.XRGB8888.fourcc() || fourcc == DrmFormat.ARGB8888.fourcc()) {
            // the little-endian word is the ARGB int: one bulk copy (a memcpy for a direct buffer
            // on a little-endian CPU), then alpha set over the int array (a loop the JIT
            // vectorises); per pixel getInt with its bounds check was 12 % of a PNG encode
            if ((base & 3) == 0) {
                s.asIntBuffer().get(base >> 2, d, o, width);
            } else {
                for (int x = 0; x < width; x++) {
                    d[o + x] = s.getInt(base + 4 * x);
                }
            }
            if (fourcc == DrmFormat.XRGB8888.fourcc()) {
                for (int x = o, end = o + width; x < end; x++) {
                    d[x] |= 0xff000000;
                }
            }
        } else if (fourcc == DrmFormat.XBGR8888.fourcc() || fourcc == DrmFormat.ABGR8888.fourcc()) {
            boolean alpha = fourcc == DrmFormat.ABGR8888.fourcc();
            for (int x = 0; x < width; x++) {
                int v = s.getInt(base + 4 * x);
                int a = alpha ? v & 0xff000000 : 0xff000000;
                d[o + x] = a | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
            }
        } else if (fourcc == DrmFormat.RGB888.fourcc()) {
            for (int x = 0, i = base; x < width; x++, i += 3) {
                d[o + x] = 0xff000000 | (u8(s, i + 2) << 16) | (u8(s, i + 1) << 8) | u8(s, i);
            }
        } else if (fourcc == DrmFormat.BGR888.fourcc()) {
            for (int x = 0, i = base; x < width; x++, i += 3) {
                d[o + x] = 0xff000000 | (u8(s, i) << 16) | (u8(s, i + 1) << 8) | u8(s, i + 2);
            }
        } else if (fourcc == DrmFormat.RGB565.fourcc()) {
            for (int x = 0; x < width; x++) {
                int v = s.getShort(base + 2 * x) & 0xffff;
                int r = v >>> 11;
                int g = (v >>> 5) & 0x3f;
                int b = v & 0x1f;
                d[o + x] = 0xff000000 | (((r << 3) | (r >>> 2)) << 16) | (((g << 2) | (g >>> 4)) << 8) | ((b << 3) | (b >>> 2));
            }
        } else if (fourcc == DrmFormat.XRGB2101010.fourcc() || fourcc == DrmFormat.XBGR2101010.fourcc()) {
            boolean bgr = fourcc == DrmFormat.XBGR2101010.fourcc();
            for (int x = 0; x < width; x++) {
                int v = s.getInt(base + 4 * x);
                int hi = ten(v >>> 20);
                int mid = ten(v >>> 10);
                int lo = ten(v);
                d[o + x] = 0xff000000 | (bgr ? (lo << 16) | (mid << 8) | hi : (hi << 16) | (mid << 8) | lo);
            }
        } else {
            convertYuv(f, s, base, width, d, o);
        }
    }

    /** Packed 4:2:2: byte positions of Y0, U, Y1, V inside each 4-byte group. */
    private static void convertYuv(DrmFormat f, ByteBuffer s, int base, int width, int[] d, int o) {
        String order = f.spec().orElseThrow().channels(); // e.g. "YUYV" in memory byte order
        int y0 = order.indexOf('Y');
        int y1 = order.indexOf('Y', y0 + 1);
        int u = order.indexOf('U');
        int v = order.indexOf('V');
        for (int x = 0; x < width; x += 2) {
            int g = base + 2 * x;
            int cu = u8(s, g + u);
            int cv = u8(s, g + v);
            d[o + x] = yuvToArgb(u8(s, g + y0), cu, cv);
            if (x + 1 < width) {
                d[o + x + 1] = yuvToArgb(u8(s, g + y1), cu, cv);
            }
        }
    }

    /**
     * Converts one YUV pixel: BT.601 limited range, integer arithmetic.
     *
     * @param y luma, 0 to 255
     * @param u blue-difference chroma, 0 to 255
     * @param v red-difference chroma, 0 to 255
     * @return the opaque ARGB pixel
     */
    public static int yuvToArgb(int y, int u, int v) {
        int c = 298 * (y - 16);
        int dd = u - 128;
        int e = v - 128;
        int r = clamp((c + 409 * e + 128) >> 8);
        int g = clamp((c - 100 * dd - 208 * e + 128) >> 8);
        int b = clamp((c + 516 * dd + 128) >> 8);
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }

    private static int ten(int v) {
        return ((v & 0x3ff) * 255 + 511) / 1023;
    }

    private static int u8(ByteBuffer s, int i) {
        return s.get(i) & 0xff;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
