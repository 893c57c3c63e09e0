package io.github.scanout.api.pixels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Each format is written by an independent encoder (byte by byte from the DRM definitions in
 * drm_fourcc.h) and must convert back to the expected colour exactly.
 */
class PixelConverterTest {

    static final int W = 7;
    static final int H = 3;
    static final int STRIDE = 64;

    static PlaneInfo plane(DrmFormat f) {
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, f, Modifier.LINEAR, W, H, STRIDE, STRIDE * H,
                0, 0, Optional.empty(), 0);
    }

    /** Random colours whose channels survive the format's precision exactly. */
    static int[] colours(long seed) {
        Random r = new Random(seed);
        int[] c = new int[W * H];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextInt();
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"XR24", "AR24", "XB24", "AB24", "RG24", "BG24"})
    void eightBitFormatsAreExact(String code) {
        DrmFormat f = DrmFormat.parse(code).orElseThrow();
        int[] c = colours(code.hashCode());
        ByteBuffer b = ByteBuffer.allocate(STRIDE * H);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = c[y * W + x];
                int a = p >>> 24, r = (p >>> 16) & 0xff, g = (p >>> 8) & 0xff, bl = p & 0xff;
                int o = y * STRIDE + x * f.bytesPerPixel();
                switch (code) {
                    case "XR24", "AR24" -> put(b, o, bl, g, r, a);
                    case "XB24", "AB24" -> put(b, o, r, g, bl, a);
                    case "RG24" -> put(b, o, bl, g, r);
                    case "BG24" -> put(b, o, r, g, bl);
                    default -> throw new AssertionError();
                }
            }
        }
        boolean alpha = f.spec().orElseThrow().alpha();
        int[] out = PixelConverter.toArgb(plane(f), b);
        for (int i = 0; i < c.length; i++) {
            int expected = alpha ? c[i] : c[i] | 0xff000000;
            assertThat(out[i]).as("%s pixel %d", code, i).isEqualTo(expected);
        }
    }

    /** The bulk path of 32-bit RGB: direct and heap buffers, any byte order, rows at odd offsets. */
    @ParameterizedTest
    @CsvSource({"XR24, true, 64", "AR24, true, 64", "XR24, false, 30", "AR24, true, 30", "XR24, true, 29"})
    void thirtyTwoBitRowsConvertInBulkAtAnyOffset(String code, boolean direct, int stride) {
        DrmFormat f = DrmFormat.parse(code).orElseThrow();
        int[] c = colours(stride * 31L + code.hashCode());
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(stride * H) : ByteBuffer.allocate(stride * H);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = c[y * W + x];
                put(b, y * stride + x * 4, p & 0xff, (p >>> 8) & 0xff, (p >>> 16) & 0xff, p >>> 24);
            }
        }
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, f, Modifier.LINEAR, W, H, stride,
                stride * H, 0, 0, Optional.empty(), 0);
        int[] dst = new int[W + 2];
        for (int y = 0; y < H; y++) {
            java.util.Arrays.fill(dst, 0x12345678);
            PixelConverter.convertRow(info, b, y, dst, 1);
            assertThat(dst[0]).isEqualTo(0x12345678);
            assertThat(dst[W + 1]).isEqualTo(0x12345678);
            for (int x = 0; x < W; x++) {
                int expected = code.equals("AR24") ? c[y * W + x] : c[y * W + x] | 0xff000000;
                assertThat(dst[1 + x]).as("%s row %d pixel %d", code, y, x).isEqualTo(expected);
            }
        }
        assertThat(b.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
        assertThat(b.position()).isZero();
    }

    @Test
    void rgb565WidensByBitReplication() {
        ByteBuffer b = ByteBuffer.allocate(STRIDE * H).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0xffff);        // white
        b.putShort(2, (short) (0x1f << 11));  // pure red
        b.putShort(4, (short) (0x3f << 5));   // pure green
        b.putShort(6, (short) 0x1f);          // pure blue
        b.putShort(8, (short) ((0x10 << 11) | (0x20 << 5) | 0x10)); // mid grey
        int[] out = PixelConverter.toArgb(plane(DrmFormat.RGB565), b);
        assertThat(out[0]).isEqualTo(0xffffffff);
        assertThat(out[1]).isEqualTo(0xffff0000);
        assertThat(out[2]).isEqualTo(0xff00ff00);
        assertThat(out[3]).isEqualTo(0xff0000ff);
        assertThat(out[4]).isEqualTo(0xff848284);
    }

    @Test
    void tenBitFormatsRoundToEightBits() {
        ByteBuffer b = ByteBuffer.allocate(STRIDE * H).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, (1023 << 20) | (512 << 10) | 0);   // XR30: r=1023, g=512, b=0
        b.putInt(4, (4 << 20) | (1 << 10) | 1022);
        int[] xr = PixelConverter.toArgb(plane(DrmFormat.XRGB2101010), b);
        assertThat(xr[0]).isEqualTo(0xff000000 | (255 << 16) | (128 << 8));
        assertThat(xr[1]).isEqualTo(0xff000000 | (1 << 16) | (0 << 8) | 255);
        int[] xb = PixelConverter.toArgb(plane(DrmFormat.XBGR2101010), b);
        assertThat(xb[0]).isEqualTo(0xff000000 | (128 << 8) | 255);
    }

    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "VYUY"})
    void packedYuvSharesChromaAcrossAPair(String code) {
        DrmFormat f = DrmFormat.parse(code).orElseThrow();
        // pixel pair 0: Y0=235 Y1=16 with neutral chroma -> white then black
        // pixel pair 1: Y=81, U=90, V=240 -> BT.601 red (255, 0, 0) for both
        int[][] groups = {{235, 128, 16, 128}, {81, 90, 81, 240}};
        ByteBuffer b = ByteBuffer.allocate(STRIDE * H);
        for (int g = 0; g < groups.length; g++) {
            int y0 = groups[g][0], u = groups[g][1], y1 = groups[g][2], v = groups[g][3];
            int o = 4 * g;
            switch (code) {
                case "YUYV" -> put(b, o, y0, u, y1, v);
                case "UYVY" -> put(b, o, u, y0, v, y1);
                case "YVYU" -> put(b, o, y0, v, y1, u);
                case "VYUY" -> put(b, o, v, y0, u, y1);
                default -> throw new AssertionError();
            }
        }
        int[] out = PixelConverter.toArgb(plane(f), b);
        assertThat(out[0]).isEqualTo(0xffffffff);
        assertThat(out[1]).isEqualTo(0xff000000);
        assertThat(out[2]).isEqualTo(0xffff0000);
        assertThat(out[3]).isEqualTo(0xffff0000);
        // width 7 is odd: the last pixel uses the first half of its pair and stays in bounds
        assertThat(out).hasSize(W * H);
    }

    @Test
    void refusesC8UnknownAndTiled() {
        assertThatThrownBy(() -> PixelConverter.toArgb(plane(DrmFormat.C8), ByteBuffer.allocate(STRIDE * H)))
                .hasMessageContaining("C8").hasMessageContaining("palette");
        assertThatThrownBy(() -> PixelConverter.toArgb(plane(new DrmFormat(0x12345678)), ByteBuffer.allocate(STRIDE * H)))
                .hasMessageContaining("0x12345678");
        PlaneInfo tiled = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888, Modifier.I915_X_TILED,
                W, H, 512, 4096, 0, 0, Optional.empty(), 1);
        assertThatThrownBy(() -> PixelConverter.toArgb(tiled, ByteBuffer.allocate(4096)))
                .hasMessageContaining("detile");
    }

    private static void put(ByteBuffer b, int o, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            b.put(o + i, (byte) bytes[i]);
        }
    }
}
