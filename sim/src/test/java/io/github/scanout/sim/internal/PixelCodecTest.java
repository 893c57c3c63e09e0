package io.github.scanout.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import org.junit.jupiter.api.Test;

class PixelCodecTest {

    @Test
    void wordsFollowTheDrmNames() {
        assertThat(PixelCodec.encode(DrmFormat.XRGB8888, 0x00123456)).isEqualTo(0xff123456);
        assertThat(PixelCodec.encode(DrmFormat.ARGB8888, 0x80123456)).isEqualTo(0x80123456);
        assertThat(PixelCodec.encode(DrmFormat.XBGR8888, 0xff112233)).isEqualTo(0xff332211);
        assertThat(PixelCodec.encode(DrmFormat.ABGR8888, 0x40112233)).isEqualTo(0x40332211);
        assertThat(PixelCodec.encode(DrmFormat.RGB888, 0xff112233)).as("bytes B, G, R").isEqualTo(0x112233);
        assertThat(PixelCodec.encode(DrmFormat.BGR888, 0xff112233)).as("bytes R, G, B").isEqualTo(0x332211);
        assertThat(PixelCodec.encode(DrmFormat.RGB565, 0xffff0000)).isEqualTo(0xf800);
        assertThat(PixelCodec.encode(DrmFormat.RGB565, 0xff00ff00)).isEqualTo(0x07e0);
        assertThat(PixelCodec.encode(DrmFormat.XRGB2101010, 0xffff0000)).isEqualTo(0xc0000000 | 0x3ff << 20);
        assertThat(PixelCodec.encode(DrmFormat.XBGR2101010, 0xffff0000)).isEqualTo(0xc0000000 | 0x3ff);
    }

    @Test
    void decodingInvertsEncoding() {
        int c = 0xff8040c0;
        for (DrmFormat f : new DrmFormat[] {DrmFormat.XRGB8888, DrmFormat.ARGB8888, DrmFormat.XBGR8888,
            DrmFormat.ABGR8888, DrmFormat.RGB888, DrmFormat.BGR888, DrmFormat.XRGB2101010, DrmFormat.XBGR2101010}) {
            assertThat(PixelCodec.decode(f, PixelCodec.encode(f, c))).as(f.toString()).isEqualTo(c);
        }
        assertThat(PixelCodec.decode(DrmFormat.RGB565, PixelCodec.encode(DrmFormat.RGB565, 0xffffffff)))
                .isEqualTo(0xffffffff);
        int[] yuv = PixelCodec.toYuv(0xffffffff);
        assertThat(yuv).containsExactly(235, 128, 128);
        assertThat(PixelCodec.fromYuv(235, 128, 128)).isEqualTo(0xffffffff);
        assertThat(PixelCodec.fromYuv(16, 128, 128)).isEqualTo(0xff000000);
    }
}
