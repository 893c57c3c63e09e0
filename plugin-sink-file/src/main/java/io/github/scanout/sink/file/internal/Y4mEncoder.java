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
    /** Rounding of a sum over a 2x2 block: half of 65536 * 4. */
    private static final int HALF4 = 1 << 17;

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
        if (rowA.length < w + 1) {
            rowA = new int[w + 1];
            rowB = new int[w + 1];
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
            lumaRow(rowA, w, dst, offset + y * w);
            if (y + 1 < h) {
                image.row(y + 1, rowB);
                lumaRow(rowB, w, dst, offset + (y + 1) * w);
            } else {
                System.arraycopy(rowA, 0, rowB, 0, w);
            }
            // an odd last column or row is its own neighbour: the average of a pixel with itself is
            // the pixel, rounded the same, so every block is 2x2 and the loop below has no branch
            rowA[w] = rowA[w - 1];
            rowB[w] = rowB[w - 1];
            int co = u + (y / 2) * cw;
            int cv = v + (y / 2) * cw;
            for (int cx = 0, x = 0; cx < cw; cx++, x += 2) {
                int p0 = rowA[x];
                int p1 = rowA[x + 1];
                int p2 = rowB[x];
                int p3 = rowB[x + 1];
                // red and blue summed side by side (4 x 255 fits in 16 bits), green apart
                int rb = (p0 & 0xff00ff) + (p1 & 0xff00ff) + (p2 & 0xff00ff) + (p3 & 0xff00ff);
                int gs = ((p0 >>> 8) & 0xff) + ((p1 >>> 8) & 0xff) + ((p2 >>> 8) & 0xff) + ((p3 >>> 8) & 0xff);
                int rs = rb >>> 16;
                int bs = rb & 0xffff;
                // the sums of 4 pixels: divide by 65536 * 4 with rounding
                dst[co + cx] = (byte) (((UR * rs + UG * gs + UB * bs + HALF4) >> 18) + 128);
                dst[cv + cx] = (byte) (((VR * rs + VG * gs + VB * bs + HALF4) >> 18) + 128);
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
