package io.github.scanout.sink.file.internal;

/**
 * ARGB rows to planar YUV for Y4M: BT.601 coefficients, limited ("TV") range (Y 16 to 235,
 * U and V 16 to 240), integer arithmetic with 16 fractional bits (the coefficients of
 * BT.601 scaled by 65536/255, so that primaries land on their textbook values: red 81/90/240,
 * green 145/54/34, blue 41/240/110), alpha ignored. Limited range is what ffmpeg and mpv
 * assume for Y4M without a range tag; the header also says {@code XCOLORRANGE=LIMITED}. It
 * is the inverse of the api's {@link io.github.scanout.api.pixels.PixelConverter#yuvToArgb}.
 *
 * <p>4:2:0: each chroma sample is computed from the average colour of its 2x2 block (centred
 * siting, {@code C420jpeg}); for odd widths or heights the last column or row of blocks holds
 * one pixel less, and the chroma planes are {@code ceil(W/2) x ceil(H/2)}.
 *
 * <p>Threads: not thread-safe (reuses row buffers).
 */
final class Y4mEncoder {
    // BT.601 limited range: Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, Cb = 128 +
    // (-37.797 R - 74.203 G + 112 B) / 255, Cr = 128 + (112 R - 93.786 G - 18.214 B) / 255,
    // each coefficient times 65536/255, rounded so that each row sums exactly (219 and 0 x 257)
    private static final int YR = 16829;
    private static final int YG = 33039;
    private static final int YB = 6416;
    private static final int UR = -9714;
    private static final int UG = -19070;
    private static final int UB = 28784;
    private static final int VR = 28784;
    private static final int VG = -24103;
    private static final int VB = -4681;
    private static final int HALF = 1 << 15;

    private int[] rowA = new int[0];
    private int[] rowB = new int[0];

    /** Bytes of the three planes for this size and chroma. */
    static int planeBytes(int width, int height, Y4mChroma chroma) {
        long luma = (long) width * height;
        long chromaSize = chroma == Y4mChroma.C444 ? luma : (long) ((width + 1) / 2) * ((height + 1) / 2);
        return Math.toIntExact(luma + 2 * chromaSize);
    }

    /** Writes the Y, U and V planes of the image into {@code dst} from {@code offset}. */
    void encode(ArgbRows image, Y4mChroma chroma, byte[] dst, int offset) {
        int w = image.width();
        int h = image.height();
        if (rowA.length < w) {
            rowA = new int[w];
            rowB = new int[w];
        }
        int lumaBytes = w * h;
        if (chroma == Y4mChroma.C444) {
            int u = offset + lumaBytes;
            int v = u + lumaBytes;
            for (int y = 0; y < h; y++) {
                image.row(y, rowA);
                int o = y * w;
                for (int x = 0; x < w; x++) {
                    int p = rowA[x];
                    int r = (p >>> 16) & 0xff;
                    int g = (p >>> 8) & 0xff;
                    int b = p & 0xff;
                    dst[offset + o + x] = (byte) luma(r, g, b);
                    dst[u + o + x] = (byte) (((UR * r + UG * g + UB * b + HALF) >> 16) + 128);
                    dst[v + o + x] = (byte) (((VR * r + VG * g + VB * b + HALF) >> 16) + 128);
                }
            }
            return;
        }
        int cw = (w + 1) / 2;
        int chromaBytes = cw * ((h + 1) / 2);
        int u = offset + lumaBytes;
        int v = u + chromaBytes;
        for (int y = 0; y < h; y += 2) {
            image.row(y, rowA);
            boolean pair = y + 1 < h;
            if (pair) {
                image.row(y + 1, rowB);
            }
            lumaRow(rowA, w, dst, offset + y * w);
            if (pair) {
                lumaRow(rowB, w, dst, offset + (y + 1) * w);
            }
            int co = (y / 2) * cw;
            for (int cx = 0, x = 0; cx < cw; cx++, x += 2) {
                boolean two = x + 1 < w;
                int rs = 0;
                int gs = 0;
                int bs = 0;
                int p = rowA[x];
                rs += (p >>> 16) & 0xff;
                gs += (p >>> 8) & 0xff;
                bs += p & 0xff;
                if (two) {
                    p = rowA[x + 1];
                    rs += (p >>> 16) & 0xff;
                    gs += (p >>> 8) & 0xff;
                    bs += p & 0xff;
                }
                if (pair) {
                    p = rowB[x];
                    rs += (p >>> 16) & 0xff;
                    gs += (p >>> 8) & 0xff;
                    bs += p & 0xff;
                    if (two) {
                        p = rowB[x + 1];
                        rs += (p >>> 16) & 0xff;
                        gs += (p >>> 8) & 0xff;
                        bs += p & 0xff;
                    }
                }
                // n = 1, 2 or 4 pixels: divide the sums by 65536 * n with rounding
                int shift = 16 + (two ? 1 : 0) + (pair ? 1 : 0);
                int half = 1 << (shift - 1);
                dst[u + co + cx] = (byte) (((UR * rs + UG * gs + UB * bs + half) >> shift) + 128);
                dst[v + co + cx] = (byte) (((VR * rs + VG * gs + VB * bs + half) >> shift) + 128);
            }
        }
    }

    private static void lumaRow(int[] row, int w, byte[] dst, int o) {
        for (int x = 0; x < w; x++) {
            int p = row[x];
            dst[o + x] = (byte) luma((p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
        }
    }

    /** BT.601 limited-range luma of one pixel. */
    static int luma(int r, int g, int b) {
        return ((YR * r + YG * g + YB * b + HALF) >> 16) + 16;
    }
}
