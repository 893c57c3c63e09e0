package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One failing case per rule of docs/abi.md section 7, plus the shapes real drivers produce. */
class PlaneValidatorTest {

    static final long XR24 = DrmFormat.XRGB8888.fourcc();
    static final long AR24 = DrmFormat.ARGB8888.fourcc();

    /** A valid 1024x768 XR24 primary dma-buf plane (what mbochs answers). */
    static Builder primary() {
        return new Builder().flags(2).type(1).format(XR24).width(1024).height(768).stride(4096).size(4096L * 768).id(1);
    }

    /** A valid 64x64 AR24 cursor with a hotspot (what GVT answers). */
    static Builder cursor() {
        return new Builder().flags(2).type(2).format(AR24).width(64).height(64).stride(256).size(16384).x(100).y(200)
                .xHot(3).yHot(4).id(2);
    }

    static final class Builder {
        long argsz = 64, flags, type, format, mod, width, height, stride, size, x, y, xHot, yHot, id;

        Builder flags(long v) { flags = v; return this; }
        Builder type(long v) { type = v; return this; }
        Builder format(long v) { format = v; return this; }
        Builder mod(long v) { mod = v; return this; }
        Builder width(long v) { width = v; return this; }
        Builder height(long v) { height = v; return this; }
        Builder stride(long v) { stride = v; return this; }
        Builder size(long v) { size = v; return this; }
        Builder x(long v) { x = v; return this; }
        Builder y(long v) { y = v; return this; }
        Builder xHot(long v) { xHot = v; return this; }
        Builder yHot(long v) { yHot = v; return this; }
        Builder id(long v) { id = v; return this; }

        RawPlaneInfo raw() {
            return new RawPlaneInfo(argsz, flags, type, format, mod, width, height, stride, size, x, y, xHot, yHot, id);
        }
    }

    static Optional<PlaneInfo> validate(Builder b, PlaneType plane) throws InvalidPlaneException {
        return PlaneValidator.validate(b.raw(), BufferType.DMABUF, plane, "test-dev");
    }

    static AbstractThrowableAssert<?, ? extends Throwable> rejects(Builder b, PlaneType plane, String field) {
        return assertThatThrownBy(() -> validate(b, plane))
                .isInstanceOf(InvalidPlaneException.class)
                .satisfies(e -> assertThat(((InvalidPlaneException) e).field()).isEqualTo(field))
                .hasMessageContaining(field + " = ");
    }

    // ---- shapes real drivers produce

    @Test
    void mbochsPrimaryIsAccepted() throws Exception {
        PlaneInfo p = validate(primary(), PlaneType.PRIMARY).orElseThrow();
        assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
        assertThat(p.modifier()).isEqualTo(Modifier.LINEAR);
        assertThat(p.width()).isEqualTo(1024);
        assertThat(p.height()).isEqualTo(768);
        assertThat(p.stride()).isEqualTo(4096);
        assertThat(p.size()).isEqualTo(4096L * 768);
        assertThat(p.bufferId()).isEqualTo(1);
        assertThat(p.bufferType()).isEqualTo(BufferType.DMABUF);
        assertThat(p.hotspot()).isEmpty();
    }

    @Test
    void mdpyRegionPrimaryIsAccepted() throws Exception {
        RawPlaneInfo raw = primary().flags(4).size(4 << 20).id(16).raw();
        PlaneInfo p = PlaneValidator.validate(raw, BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
        assertThat(p.bufferType()).isEqualTo(BufferType.REGION);
        assertThat(p.bufferId()).isEqualTo(16);
    }

    @Test
    void gvtCursorKeepsItsHotspotAndPosition() throws Exception {
        PlaneInfo p = validate(cursor(), PlaneType.CURSOR).orElseThrow();
        assertThat(p.hotspot()).contains(new Hotspot(3, 4));
        assertThat(p.x()).isEqualTo(100);
        assertThat(p.y()).isEqualTo(200);
    }

    @Test
    void cursorWithoutHotspot() throws Exception {
        PlaneInfo p = validate(cursor().xHot(0xFFFFFFFFL).yHot(0xFFFFFFFFL), PlaneType.CURSOR).orElseThrow();
        assertThat(p.hotspot()).isEmpty();
    }

    @Test
    void positionsAtOrAbove2To31AreNegative() throws Exception {
        PlaneInfo p = validate(cursor().x(0xFFFFFFF6L).y(0x80000000L), PlaneType.CURSOR).orElseThrow();
        assertThat(p.x()).isEqualTo(-10);
        assertThat(p.y()).isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    void tiledGvtPrimaryIsAccepted() throws Exception {
        PlaneInfo p = validate(primary().mod(Modifier.I915_X_TILED.value()).height(761).size(4096L * 768),
                PlaneType.PRIMARY).orElseThrow();
        assertThat(p.modifier()).isEqualTo(Modifier.I915_X_TILED);
    }

    @Test
    void primaryHotspotFieldsAreIgnored() throws Exception {
        assertThat(validate(primary().xHot(5000).yHot(0xFFFFFFFFL), PlaneType.PRIMARY)).isPresent();
    }

    // ---- rule 3: disabled planes

    @ParameterizedTest
    @ValueSource(strings = {"format", "size", "width", "height"})
    void aZeroFieldMeansDisabled(String field) throws Exception {
        Builder b = primary();
        switch (field) {
            case "format" -> b.format(0);
            case "size" -> b.size(0);
            case "width" -> b.width(0);
            default -> b.height(0);
        }
        assertThat(validate(b, PlaneType.PRIMARY)).isEmpty();
    }

    @Test
    void mbochsCursorAnswerOfZerosIsDisabled() throws Exception {
        Builder zeros = new Builder().flags(2).type(2);
        assertThat(validate(zeros, PlaneType.CURSOR)).isEmpty();
    }

    // ---- rule 1: what was asked

    @Test
    void flagsMustBeWhatWasAsked() {
        rejects(primary().flags(4), PlaneType.PRIMARY, "flags").hasMessageContaining("0x4").hasMessageContaining("dmabuf");
        rejects(primary().flags(3), PlaneType.PRIMARY, "flags");
    }

    @Test
    void planeTypeMustBeWhatWasAsked() {
        // a device that rewrites drm_plane_type (answering a cursor query with its primary plane)
        rejects(primary().type(1), PlaneType.CURSOR, "drm_plane_type").hasMessageContaining("CURSOR");
    }

    // ---- rule 4: formats

    @Test
    void c8IsRejectedForItsMissingPalette() {
        rejects(primary().format(DrmFormat.C8.fourcc()), PlaneType.PRIMARY, "drm_format")
                .hasMessageContaining("0x20203843").hasMessageContaining("C8").hasMessageContaining("palette");
    }

    @Test
    void unknownFourccIsRejectedWithItsCode() {
        rejects(primary().format(0x12345678L), PlaneType.PRIMARY, "drm_format").hasMessageContaining("0x12345678");
        rejects(primary().format(DrmFormat.fromCode("NV12").fourcc()), PlaneType.PRIMARY, "drm_format")
                .hasMessageContaining("NV12");
    }

    // ---- modifiers

    @Test
    void invalidModifierIsRejected() {
        rejects(primary().mod(Modifier.INVALID.value()), PlaneType.PRIMARY, "drm_format_mod").hasMessageContaining("INVALID");
    }

    @Test
    void unknownModifierIsRejected() {
        rejects(primary().mod(0x0200000000000001L), PlaneType.PRIMARY, "drm_format_mod")
                .hasMessageContaining("0x200000000000001");
    }

    // ---- rule 5: dimensions and stride

    @Test
    void widthAbove16384IsRejected() {
        rejects(primary().width(16385).stride(16385 * 4).size(1L << 32), PlaneType.PRIMARY, "width")
                .hasMessageContaining("16385").hasMessageContaining("16384");
        rejects(primary().width(0xFFFFFFFFL), PlaneType.PRIMARY, "width");
    }

    @Test
    void heightAbove16384IsRejected() {
        rejects(primary().height(16385), PlaneType.PRIMARY, "height").hasMessageContaining("16385");
    }

    @Test
    void maximalDimensionsAreAccepted() throws Exception {
        assertThat(validate(primary().width(16384).height(16384).stride(65536).size(65536L * 16384), PlaneType.PRIMARY))
                .isPresent();
    }

    @Test
    void mdpyStyleCursorAnswerIsRejectedAsTooLarge() {
        // mdpy ignores the plane type: a cursor query returns the 1024x768 primary, drm_plane_type left as asked
        rejects(primary().type(2), PlaneType.CURSOR, "width").hasMessageContaining("256");
    }

    @Test
    void cursorWiderThan256IsRejected() {
        rejects(cursor().width(257).stride(257 * 4).size(1 << 20), PlaneType.CURSOR, "width").hasMessageContaining("256");
    }

    @Test
    void cursorHigherThan256IsRejected() {
        rejects(cursor().height(257).size(1 << 20), PlaneType.CURSOR, "height").hasMessageContaining("256");
    }

    @Test
    void strideBelowRowBytesIsRejected() {
        rejects(primary().stride(4095), PlaneType.PRIMARY, "stride").hasMessageContaining("4095").hasMessageContaining("4096");
    }

    @Test
    void packedYuvRowsRoundOddWidthsUpToAPair() {
        // YUYV 3 pixels wide needs 2 groups of 4 bytes
        rejects(primary().format(DrmFormat.YUYV.fourcc()).width(3).stride(6), PlaneType.PRIMARY, "stride")
                .hasMessageContaining("8");
    }

    @Test
    void strideAbove1MiBIsRejected() {
        rejects(primary().stride((1 << 20) + 4).size(1L << 32 - 1), PlaneType.PRIMARY, "stride")
                .hasMessageContaining("1048580").hasMessageContaining("1048576");
    }

    @Test
    void tiledStrideMustBeAWholeNumberOfTiles() {
        rejects(primary().mod(Modifier.I915_X_TILED.value()).stride(4160).size(1 << 24), PlaneType.PRIMARY, "stride")
                .hasMessageContaining("512");
    }

    // ---- rule 6: size

    @Test
    void linearLayoutMustFitInSize() {
        rejects(primary().size(4096L * 768 - 1), PlaneType.PRIMARY, "size").hasMessageContaining("3145728");
    }

    @Test
    void lastRowNeedsOnlyRowBytesNotAWholeStride() throws Exception {
        // stride 8192 for 1024 pixels: the last row needs 4096 bytes, not 8192
        assertThat(validate(primary().stride(8192).size(8192L * 767 + 4096), PlaneType.PRIMARY)).isPresent();
    }

    @Test
    void tiledLayoutMustFitWholeTileRows() throws Exception {
        Builder linearFits = primary().height(761).size(4096L * 760 + 4096);
        assertThat(validate(linearFits, PlaneType.PRIMARY)).isPresent();
        rejects(primary().height(761).size(4096L * 760 + 4096).mod(Modifier.I915_Y_TILED.value()), PlaneType.PRIMARY, "size")
                .hasMessageContaining("roundUp(height, 32)").hasMessageContaining(Long.toString(4096L * 768));
    }

    // ---- rule 9: hotspot

    @Test
    void hotspotOutsideTheCursorIsRejected() {
        rejects(cursor().xHot(64), PlaneType.CURSOR, "x_hot").hasMessageContaining("64");
        rejects(cursor().yHot(64), PlaneType.CURSOR, "y_hot").hasMessageContaining("64");
    }

    @Test
    void halfAMissingHotspotIsRejected() {
        rejects(cursor().xHot(0xFFFFFFFFL).yHot(4), PlaneType.CURSOR, "y_hot").hasMessageContaining("0xFFFFFFFF");
        rejects(cursor().xHot(3).yHot(0xFFFFFFFFL), PlaneType.CURSOR, "x_hot").hasMessageContaining("0xFFFFFFFF");
    }

    @Test
    void messageNamesDevicePlaneFieldValueAndRule() {
        assertThatThrownBy(() -> validate(primary().stride(4095), PlaneType.PRIMARY))
                .hasMessage("invalid test-dev primary plane (dmabuf): stride = 4095 breaks rule: stride >= width x bytes per"
                        + " pixel (4096 for 1024 x XR24)");
    }
}
