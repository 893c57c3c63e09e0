package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.Modifier;
import io.github.scanout.sim.fixture.SimFixture;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The detiler against two references: an index formula written here from the Intel tiling
 * definitions, and the tiling function the simulated GVT-g lays its memory out with.
 */
class DetilerTest {

    /**
     * Where byte {@code x} of row {@code y} lies in a tiled surface, from the definitions:
     * 4 KiB tiles, stored tile row by tile row, {@code stride / tileWidth} tiles per tile row.
     * X: 512 bytes x 8 rows, row-major. Y: 128 bytes x 32 rows as eight 16-byte columns, each
     * column's 32 rows one after another.
     */
    static long reference(Modifier m, int stride, int x, int y) {
        if (m.equals(Modifier.I915_X_TILED)) {
            long tile = (long) (y / 8) * (stride / 512) + x / 512;
            return tile * 4096 + (y % 8) * 512 + x % 512;
        }
        if (m.equals(Modifier.I915_Y_TILED)) {
            long tile = (long) (y / 32) * (stride / 128) + x / 128;
            return tile * 4096 + (x % 128 / 16) * 512 + (y % 32) * 16 + x % 16;
        }
        throw new IllegalArgumentException(m.toString());
    }

    @ParameterizedTest
    @CsvSource({
        "X, 4096, 4096, 768", "X, 1024, 812, 17", "X, 512, 1, 1", "X, 2560, 2500, 9",
        "Y, 4096, 4096, 768", "Y, 1024, 812, 33", "Y, 128, 7, 1", "Y, 2560, 2499, 31", "Y, 384, 384, 64"})
    void detilesEveryByteWhereTheReferencePutsIt(String tiling, int stride, int rowBytes, int height) {
        Modifier m = tiling.equals("X") ? Modifier.I915_X_TILED : Modifier.I915_Y_TILED;
        int rows = (height + m.tileRows() - 1) / m.tileRows() * m.tileRows();
        byte[] tiled = new byte[stride * rows];
        new Random(stride * 31L + rowBytes * 7L + height).nextBytes(tiled);
        ByteBuffer dst = ByteBuffer.allocateDirect(rowBytes * height + 64);
        Detiler.detile(m, ByteBuffer.wrap(tiled), stride, rowBytes, height, dst, rowBytes);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < rowBytes; x++) {
                long ref = reference(m, stride, x, y);
                assertThat(SimFixture.tiledOffset(m, stride, x, y)).as("the sim agrees with the reference").isEqualTo(ref);
                if (dst.get(y * rowBytes + x) != tiled[(int) ref]) {
                    throw new AssertionError(m + " byte " + x + " of row " + y + ": got " + dst.get(y * rowBytes + x)
                            + ", the reference puts it at " + ref + " holding " + tiled[(int) ref]);
                }
            }
        }
        for (int i = rowBytes * height; i < dst.capacity(); i++) {
            assertThat(dst.get(i)).as("nothing written past the rows").isZero();
        }
    }

    @Test
    void honoursADestinationStrideLargerThanTheRow() {
        Modifier m = Modifier.I915_Y_TILED;
        byte[] tiled = new byte[256 * 32];
        new Random(5).nextBytes(tiled);
        ByteBuffer dst = ByteBuffer.allocate(300 * 32);
        Detiler.detile(m, ByteBuffer.wrap(tiled), 256, 200, 32, dst, 300);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 300; x++) {
                byte expected = x < 200 ? tiled[(int) reference(m, 256, x, y)] : 0;
                assertThat(dst.get(y * 300 + x)).isEqualTo(expected);
            }
        }
    }

    @Test
    void refusesWhatItCannotDetile() {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        assertThatThrownBy(() -> Detiler.detile(Modifier.I915_YF_TILED, b, 512, 512, 8, b, 512))
                .hasMessageContaining("not I915_YF_TILED");
        assertThatThrownBy(() -> Detiler.detile(Modifier.LINEAR, b, 512, 512, 8, b, 512)).hasMessageContaining("LINEAR");
        assertThatThrownBy(() -> Detiler.detile(Modifier.I915_X_TILED, b, 500, 500, 8, b, 512))
                .hasMessageContaining("multiple of 512, got 500");
        assertThatThrownBy(() -> Detiler.detile(Modifier.I915_X_TILED, b, 1024, 1025, 8, b, 2048))
                .hasMessageContaining("1025 bytes with stride 1024");
        assertThatThrownBy(() -> Detiler.detile(Modifier.I915_Y_TILED, ByteBuffer.allocate(4096), 128, 128, 33, b, 128))
                .hasMessageContaining("needs 8192 source bytes (has 4096)");
        assertThatThrownBy(() -> Detiler.detile(Modifier.I915_X_TILED, b, 512, 512, 8, ByteBuffer.allocate(100), 512))
                .hasMessageContaining("4096 destination bytes (has 100)");
    }
}
