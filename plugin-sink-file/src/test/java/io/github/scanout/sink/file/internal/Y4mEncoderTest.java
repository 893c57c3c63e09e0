package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 4:2:0 planes against the definition computed pixel by pixel: each chroma sample is the
 * rounded BT.601 chroma of the average of the 1, 2 or 4 pixels of its block (odd last columns and
 * rows included), each luma sample that of its pixel.
 */
class Y4mEncoderTest {

    static ArgbRows image(int w, int h, int[] px) {
        return new ArgbRows() {
            @Override
            public int width() {
                return w;
            }

            @Override
            public int height() {
                return h;
            }

            @Override
            public boolean hasAlpha() {
                return false;
            }

            @Override
            public void row(int y, int[] dst) {
                System.arraycopy(px, y * w, dst, 0, w);
            }
        };
    }

    /** The definition: sums over the block's n pixels, divided by 65536 * n with rounding. */
    static byte[] reference(int w, int h, int[] px) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        byte[] out = new byte[w * h + 2 * cw * ch];
        for (int i = 0; i < w * h; i++) {
            int p = px[i];
            out[i] = (byte) Y4mEncoder.luma((p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
        }
        for (int cy = 0; cy < ch; cy++) {
            for (int cx = 0; cx < cw; cx++) {
                long rs = 0;
                long gs = 0;
                long bs = 0;
                int n = 0;
                for (int y = 2 * cy; y < Math.min(h, 2 * cy + 2); y++) {
                    for (int x = 2 * cx; x < Math.min(w, 2 * cx + 2); x++) {
                        int p = px[y * w + x];
                        rs += (p >>> 16) & 0xff;
                        gs += (p >>> 8) & 0xff;
                        bs += p & 0xff;
                        n++;
                    }
                }
                long u = Math.floorDiv(-9714 * rs - 19070 * gs + 28784 * bs + 32768L * n, 65536L * n) + 128;
                long v = Math.floorDiv(28784 * rs - 24103 * gs - 4681 * bs + 32768L * n, 65536L * n) + 128;
                out[w * h + cy * cw + cx] = (byte) u;
                out[w * h + cw * ch + cy * cw + cx] = (byte) v;
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"64, 48", "33, 17", "1, 1", "2, 3", "3, 2", "1, 5", "1921, 3"})
    void chroma420IsTheRoundedAverageOfEachBlockOddEdgesIncluded(int w, int h) {
        Random random = new Random(w * 31L + h);
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            // random colours, and the extremes
            px[i] = i % 7 == 0 ? 0xffffffff : i % 11 == 0 ? 0xff000000 : random.nextInt();
        }
        byte[] dst = new byte[Y4mEncoder.planeBytes(w, h, Y4mChroma.C420) + 5];
        new Y4mEncoder().encode(image(w, h, px), Y4mChroma.C420, dst, 5);
        byte[] got = java.util.Arrays.copyOfRange(dst, 5, dst.length);
        assertThat(got).isEqualTo(reference(w, h, px));
    }
}
