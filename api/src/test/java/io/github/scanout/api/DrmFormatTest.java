package io.github.scanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DrmFormatTest {

    @Test
    void fourccValuesMatchTheAbiTable() {
        assertThat(DrmFormat.XRGB8888.fourcc()).isEqualTo(0x34325258);
        assertThat(DrmFormat.ARGB8888.fourcc()).isEqualTo(0x34325241);
        assertThat(DrmFormat.XBGR8888.fourcc()).isEqualTo(0x34324258);
        assertThat(DrmFormat.ABGR8888.fourcc()).isEqualTo(0x34324241);
        assertThat(DrmFormat.RGB888.fourcc()).isEqualTo(0x34324752);
        assertThat(DrmFormat.BGR888.fourcc()).isEqualTo(0x34324742);
        assertThat(DrmFormat.RGB565.fourcc()).isEqualTo(0x36314752);
        assertThat(DrmFormat.XRGB2101010.fourcc()).isEqualTo(0x30335258);
        assertThat(DrmFormat.XBGR2101010.fourcc()).isEqualTo(0x30334258);
        assertThat(DrmFormat.YUYV.fourcc()).isEqualTo(0x56595559);
        assertThat(DrmFormat.UYVY.fourcc()).isEqualTo(0x59565955);
        assertThat(DrmFormat.YVYU.fourcc()).isEqualTo(0x55595659);
        assertThat(DrmFormat.VYUY.fourcc()).isEqualTo(0x59555956);
        assertThat(DrmFormat.C8.fourcc()).isEqualTo(0x20203843);
    }

    @Test
    void printsItsFourCharacters() {
        assertThat(DrmFormat.XRGB8888).hasToString("XR24");
        assertThat(DrmFormat.C8).hasToString("C8");
        assertThat(new DrmFormat(7)).hasToString("0x00000007");
        assertThat(new DrmFormat(7).isKnown()).isFalse();
    }

    @Test
    void parsesCodesAndNames() {
        assertThat(DrmFormat.parse("XR24")).contains(DrmFormat.XRGB8888);
        assertThat(DrmFormat.parse("xrgb8888")).contains(DrmFormat.XRGB8888);
        assertThat(DrmFormat.parse("C8")).contains(DrmFormat.C8);
        assertThat(DrmFormat.parse("ZZ99")).isEmpty();
        assertThatThrownBy(() -> DrmFormat.fromCode("XR2")).hasMessageContaining("4 characters");
    }

    @Test
    void tableHasBytesPerPixelAndAlpha() {
        assertThat(DrmFormat.RGB888.bytesPerPixel()).isEqualTo(3);
        assertThat(DrmFormat.RGB565.bytesPerPixel()).isEqualTo(2);
        assertThat(DrmFormat.ARGB8888.spec().orElseThrow().alpha()).isTrue();
        assertThat(DrmFormat.XRGB8888.spec().orElseThrow().alpha()).isFalse();
        assertThatThrownBy(() -> new DrmFormat(7).bytesPerPixel()).hasMessageContaining("unknown DRM format 0x00000007");
    }

    @Test
    void modifiersNameTheirVendorAndTiles() {
        assertThat(Modifier.I915_X_TILED.vendor()).isEqualTo(Modifier.VENDOR_INTEL);
        assertThat(Modifier.I915_X_TILED).hasToString("I915_X_TILED");
        assertThat(Modifier.I915_Y_TILED.tileRows()).isEqualTo(32);
        assertThat(Modifier.I915_X_TILED.tileRows()).isEqualTo(8);
        assertThat(Modifier.INVALID.value()).isEqualTo(0x00ffffffffffffffL);
        assertThat(new Modifier(0x0200000000000005L)).hasToString("0x0200000000000005");
    }

    @Test
    void bufferTypesAreSingleBitsOtherThanProbe() {
        assertThat(BufferType.DMABUF.flag()).isEqualTo(2);
        assertThat(BufferType.REGION.flag()).isEqualTo(4);
        assertThat(new BufferType("shm-ring", 1 << 8).flag()).isEqualTo(256);
        assertThatThrownBy(() -> new BufferType("x", 1)).hasMessageContaining("PROBE");
        assertThatThrownBy(() -> new BufferType("x", 6)).hasMessageContaining("one bit");
        assertThatThrownBy(() -> new BufferType("Bad Name", 8)).hasMessageContaining("name");
    }
}
