package io.github.scanout.sim.internal;

import io.github.scanout.api.DrmFormat;

/**
 * Turns 0xAARRGGBB colours into the bytes of a DRM format and back. Formats without alpha get
 * their X bits set to ones. Packed YUV uses BT.601 limited range; C8 stores the luma as the
 * palette index and reads back as grey.
 */
public final class PixelCodec {
    private PixelCodec() {}

    /** The pixel word for the RGB and C8 formats (1 to 4 bytes, little-endian). */
    public static int encode(DrmFormat f, int argb) {
        int a = argb >>> 24;
        int r = (argb >>> 16) & 0xff;
        int g = (argb >>> 8) & 0xff;
        int b = argb & 0xff;
        if (f.equals(DrmFormat.XRGB8888)) {
            return 0xff000000 | (argb & 0xffffff);
        }
        if (f.equals(DrmFormat.ARGB8888)) {
            return argb;
        }
        if (f.equals(DrmFormat.XBGR8888)) {
            return 0xff000000 | (b << 16) | (g << 8) | r;
        }
        if (f.equals(DrmFormat.ABGR8888)) {
            return (a << 24) | (b << 16) | (g << 8) | r;
        }
        if (f.equals(DrmFormat.RGB888)) {
            return (r << 16) | (g << 8) | b;
        }
        if (f.equals(DrmFormat.BGR888)) {
            return (b << 16) | (g << 8) | r;
        }
        if (f.equals(DrmFormat.RGB565)) {
            return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
        }
        if (f.equals(DrmFormat.XRGB2101010)) {
            return (3 << 30) | (ten(r) << 20) | (ten(g) << 10) | ten(b);
        }
        if (f.equals(DrmFormat.XBGR2101010)) {
            return (3 << 30) | (ten(b) << 20) | (ten(g) << 10) | ten(r);
        }
        if (f.equals(DrmFormat.C8)) {
            return luma(r, g, b);
        }
        throw new IllegalArgumentException("no single-pixel encoding for " + f);
    }

    /** The colour of a pixel word, inverse of {@link #encode} up to the format's precision. */
    public static int decode(DrmFormat f, int v) {
        if (f.equals(DrmFormat.XRGB8888)) {
            return 0xff000000 | (v & 0xffffff);
        }
        if (f.equals(DrmFormat.ARGB8888)) {
            return v;
        }
        if (f.equals(DrmFormat.XBGR8888) || f.equals(DrmFormat.ABGR8888)) {
            int a = f.equals(DrmFormat.XBGR8888) ? 0xff : v >>> 24;
            return argb(a, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
        }
        if (f.equals(DrmFormat.RGB888)) {
            return 0xff000000 | (v & 0xffffff);
        }
        if (f.equals(DrmFormat.BGR888)) {
            return argb(0xff, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
        }
        if (f.equals(DrmFormat.RGB565)) {
            int r5 = (v >>> 11) & 31;
            int g6 = (v >>> 5) & 63;
            int b5 = v & 31;
            return argb(0xff, (r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2));
        }
        if (f.equals(DrmFormat.XRGB2101010)) {
            return argb(0xff, (v >>> 22) & 0xff, (v >>> 12) & 0xff, (v >>> 2) & 0xff);
        }
        if (f.equals(DrmFormat.XBGR2101010)) {
            return argb(0xff, (v >>> 2) & 0xff, (v >>> 12) & 0xff, (v >>> 22) & 0xff);
        }
        if (f.equals(DrmFormat.C8)) {
            int i = v & 0xff;
            return argb(0xff, i, i, i);
        }
        throw new IllegalArgumentException("no single-pixel decoding for " + f);
    }

    /** Whether the format is packed 4:2:2 YUV (4 bytes carry two pixels). */
    public static boolean isYuv422(DrmFormat f) {
        return f.spec().map(s -> s.layout() == DrmFormat.Layout.YUV422).orElse(false);
    }

    /** Byte positions of Y0, U (Cb), Y1, V (Cr) inside a 4-byte group of a packed YUV format. */
    public static int[] yuvOrder(DrmFormat f) {
        if (f.equals(DrmFormat.YUYV)) {
            return new int[] {0, 1, 2, 3};
        }
        if (f.equals(DrmFormat.UYVY)) {
            return new int[] {1, 0, 3, 2};
        }
        if (f.equals(DrmFormat.YVYU)) {
            return new int[] {0, 3, 2, 1};
        }
        if (f.equals(DrmFormat.VYUY)) {
            return new int[] {1, 2, 3, 0};
        }
        throw new IllegalArgumentException(f + " is not packed 4:2:2 YUV");
    }

    /** BT.601 limited-range Y, Cb, Cr of a colour. */
    public static int[] toYuv(int argb) {
        int r = (argb >>> 16) & 0xff;
        int g = (argb >>> 8) & 0xff;
        int b = argb & 0xff;
        int y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
        int u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
        int v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
        return new int[] {y, u, v};
    }

    /** The colour of BT.601 limited-range Y, Cb, Cr. */
    public static int fromYuv(int y, int u, int v) {
        int c = y - 16;
        int d = u - 128;
        int e = v - 128;
        return argb(0xff, clamp((298 * c + 409 * e + 128) >> 8), clamp((298 * c - 100 * d - 208 * e + 128) >> 8),
                clamp((298 * c + 516 * d + 128) >> 8));
    }

    private static int luma(int r, int g, int b) {
        return (77 * r + 150 * g + 29 * b + 128) >> 8;
    }

    private static int ten(int c8) {
        return (c8 << 2) | (c8 >> 6);
    }

    private static int clamp(int c) {
        return Math.max(0, Math.min(255, c));
    }

    public static int argb(int a, int r, int g, int b) {
        return (a << 24) | (r << 16) | (g << 8) | b;
    }
}
