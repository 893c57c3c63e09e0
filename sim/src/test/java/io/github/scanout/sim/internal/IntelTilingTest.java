package io.github.scanout.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IntelTilingTest {

    /**
     * The reference: walk the buffer in memory order, tile after tile, and note which (x, y)
     * each byte holds. X tiles store 8 rows of 512 bytes; Y tiles store 8 columns of 16 bytes,
     * each 32 rows deep.
     */
    private static int[][] owners(int stride, int rows, int tileWidth, int tileRows) {
        int[][] owner = new int[stride * rows][];
        int pos = 0;
        for (int ty = 0; ty < rows / tileRows; ty++) {
            for (int tx = 0; tx < stride / tileWidth; tx++) {
                if (tileWidth == 512) {
                    for (int r = 0; r < 8; r++) {
                        for (int b = 0; b < 512; b++) {
                            owner[pos++] = new int[] {tx * 512 + b, ty * 8 + r};
                        }
                    }
                } else {
                    for (int col = 0; col < 8; col++) {
                        for (int r = 0; r < 32; r++) {
                            for (int b = 0; b < 16; b++) {
                                owner[pos++] = new int[] {tx * 128 + col * 16 + b, ty * 32 + r};
                            }
                        }
                    }
                }
            }
        }
        return owner;
    }

    @ParameterizedTest
    @CsvSource({"1024, 16, 512, 8", "2560, 24, 512, 8", "512, 64, 128, 32", "384, 96, 128, 32"})
    void offsetsMatchTheReferenceLayout(int stride, int rows, int tileWidth, int tileRows) {
        Modifier m = tileWidth == 512 ? Modifier.I915_X_TILED : Modifier.I915_Y_TILED;
        int[][] owner = owners(stride, rows, tileWidth, tileRows);
        for (int offset = 0; offset < owner.length; offset++) {
            int x = owner[offset][0];
            int y = owner[offset][1];
            assertThat(IntelTiling.offset(m, stride, x, y)).as("byte (%d, %d)", x, y).isEqualTo(offset);
        }
    }

    @Test
    void linearIsRowMajorAndYfIsNotSupported() {
        assertThat(IntelTiling.offset(Modifier.LINEAR, 100, 7, 3)).isEqualTo(307);
        assertThat(IntelTiling.supported(Modifier.I915_YF_TILED)).isFalse();
        assertThatThrownBy(() -> IntelTiling.offset(Modifier.I915_YF_TILED, 128, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tiledSurfacesRoundTripEveryFormat() {
        for (DrmFormat f : DrmFormat.known()) {
            for (Modifier m : new Modifier[] {Modifier.LINEAR, Modifier.I915_X_TILED, Modifier.I915_Y_TILED}) {
                int stride = 512 * 2;
                SimMemory mem = SimMemory.unbound("t", stride * 64L);
                Surface s = new Surface(mem, 0, f, m, 100, 40, stride);
                int colour = 0xff336699;
                s.fillRect(0, 0, 100, 40, 0xff000000);
                s.fillRect(10, 5, 30, 20, colour);
                int back = s.getPixel(20, 10);
                assertThat(back).as("%s %s", f, m).isEqualTo(roundTrip(f, colour));
                assertThat(s.getPixel(5, 5)).as("%s %s outside the rectangle", f, m)
                        .isEqualTo(roundTrip(f, 0xff000000));
            }
        }
    }

    private static int roundTrip(DrmFormat f, int argb) {
        if (PixelCodec.isYuv422(f)) {
            int[] yuv = PixelCodec.toYuv(argb);
            return PixelCodec.fromYuv(yuv[0], yuv[1], yuv[2]);
        }
        return PixelCodec.decode(f, PixelCodec.encode(f, argb));
    }
}
