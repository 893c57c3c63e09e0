package io.github.scanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlaneInfoTest {

    static PlaneInfo plane(DrmFormat f, Modifier m, int w, int h, int stride, long size) {
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, f, m, w, h, stride, size, 0, 0, Optional.empty(), 1);
    }

    @Test
    void linearLayoutNeedsFullRowsButTheLastRowOnlyItsPixels() {
        PlaneInfo p = plane(DrmFormat.XRGB8888, Modifier.LINEAR, 100, 10, 512, 8192);
        assertThat(p.rowBytes()).isEqualTo(400);
        assertThat(p.requiredBytes()).isEqualTo(512L * 9 + 400);
    }

    @Test
    void tiledLayoutRoundsHeightUpToWholeTiles() {
        assertThat(plane(DrmFormat.XRGB8888, Modifier.I915_X_TILED, 100, 10, 512, 1 << 20).requiredBytes())
                .isEqualTo(512L * 16);
        assertThat(plane(DrmFormat.XRGB8888, Modifier.I915_Y_TILED, 100, 33, 512, 1 << 20).requiredBytes())
                .isEqualTo(512L * 64);
    }

    @Test
    void packedYuvRowsRoundOddWidthsUpToAPair() {
        assertThat(PlaneInfo.rowBytes(DrmFormat.YUYV, 5)).isEqualTo(12);
        assertThat(PlaneInfo.rowBytes(DrmFormat.RGB888, 5)).isEqualTo(15);
    }

    @Test
    void arithmeticIs64BitAndOverflowIsAnError() {
        assertThat(PlaneInfo.requiredBytes(DrmFormat.XRGB8888, Modifier.LINEAR, 16384, 16384, 1 << 20))
                .isEqualTo((1L << 20) * 16383 + 16384L * 4);
        assertThatThrownBy(() -> PlaneInfo.requiredBytes(DrmFormat.XRGB8888, Modifier.LINEAR, 1, Long.MAX_VALUE / 2, 8))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void keyIncludesEverythingThatNamesTheBuffer() {
        PlaneInfo a = plane(DrmFormat.XRGB8888, Modifier.LINEAR, 100, 10, 512, 8192);
        PlaneInfo b = plane(DrmFormat.XRGB8888, Modifier.LINEAR, 100, 11, 512, 8192);
        assertThat(a.key()).isNotEqualTo(b.key());
        assertThat(a.key()).isEqualTo(plane(DrmFormat.XRGB8888, Modifier.LINEAR, 100, 10, 512, 8192).key());
    }

    @Test
    void errnoNamesAndTransience() {
        assertThat(new DeviceException("query", Errno.ENOMEM.number()).isTransient()).isTrue();
        assertThat(new DeviceException("query", Errno.ENODEV.number()).isGone()).isTrue();
        assertThat(new DeviceException("query", 22)).hasMessage("query: EINVAL");
        assertThat(Errno.name(200)).isEqualTo("errno 200");
    }
}
