package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.testsupport.FuzzBytes;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Fuzzes the one gate for guest-controlled plane descriptions: {@code vfio_device_gfx_plane_info}
 * bytes through {@link GfxPlaneInfoCodec#decode} and {@link PlaneValidator#validate}.
 *
 * <p>Input: byte 0 chooses the query (bit 0: dmabuf or region; bits 1-2: primary, cursor or
 * overlay; bit 3: with a device name; bit 4: the answer buffer is exactly the remaining bytes
 * instead of 64), the remaining bytes are the struct (zero-padded to 64).
 *
 * <p>Contract: a buffer under 60 bytes is an IllegalArgumentException naming the size; decoding
 * never fails otherwise and round-trips; validation either refuses with an
 * {@link InvalidPlaneException} naming field, value and rule, answers empty for a disabled plane,
 * or answers a plane that an independent check (in unbounded arithmetic) finds inside every rule
 * of docs/abi.md section 7. Nothing else escapes.
 */
class PlaneInfoFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decodeAndValidate(byte[] data) throws Exception {
        FuzzBytes in = new FuzzBytes(data);
        int sel = in.u8();
        BufferType asked = (sel & 1) == 0 ? BufferType.DMABUF : BufferType.REGION;
        PlaneType plane = PlaneType.values()[((sel >> 1) & 3) % 3];
        String device = (sel & 8) != 0 ? "sim:fuzz" : null;
        byte[] rest = in.rest();
        byte[] struct = (sel & 16) != 0 ? rest : Arrays.copyOf(rest, Math.max(GfxPlaneInfoCodec.SIZE, rest.length));
        ByteBuffer answer = ByteBuffer.wrap(struct);

        if (struct.length < GfxPlaneInfoCodec.DECODED_SIZE) {
            assertThatThrownBy(() -> GfxPlaneInfoCodec.decode(answer)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs 60 bytes, got " + struct.length);
            return;
        }
        RawPlaneInfo raw = GfxPlaneInfoCodec.decode(answer);
        byte[] again = GfxPlaneInfoCodec.encode(raw).array();
        assertThat(Arrays.copyOf(again, GfxPlaneInfoCodec.DECODED_SIZE)).as("decode/encode round trip")
                .isEqualTo(Arrays.copyOf(struct, GfxPlaneInfoCodec.DECODED_SIZE));
        assertThat(raw.toString()).startsWith("vfio_device_gfx_plane_info{");

        Optional<PlaneInfo> result;
        try {
            result = PlaneValidator.validate(raw, asked, plane, device);
        } catch (InvalidPlaneException e) {
            assertThat(e.getClass()).isEqualTo(InvalidPlaneException.class);
            assertThat(e.field()).isNotBlank();
            assertThat(e.rule()).isNotBlank();
            assertThat(e.getMessage()).contains(e.field() + " = ").contains(e.rule())
                    .contains(plane.name().toLowerCase(java.util.Locale.ROOT) + " plane");
            if (device != null) {
                assertThat(e.getMessage()).contains(device);
            }
            return;
        }
        if (result.isEmpty()) {
            assertThat(raw.drmFormat() == 0 || raw.size() == 0 || raw.width() == 0 || raw.height() == 0)
                    .as("empty only for a disabled plane: %s", raw).isTrue();
            assertThat(raw.flags()).isEqualTo(asked.flag());
            assertThat(raw.drmPlaneType()).isEqualTo(plane.drmValue());
            return;
        }
        checkInsideTheRules(raw, asked, plane, result.get());
    }

    /** An independent check of every rule, in BigInteger arithmetic, of an accepted plane. */
    static void checkInsideTheRules(RawPlaneInfo raw, BufferType asked, PlaneType plane, PlaneInfo p) {
        String what = raw + " accepted as " + p;
        assertThat(raw.flags()).as(what).isEqualTo(asked.flag());
        assertThat(raw.drmPlaneType()).as(what).isEqualTo(plane.drmValue());
        assertThat(p.type()).isEqualTo(plane);
        assertThat(p.bufferType()).isEqualTo(asked);
        assertThat(p.format().isKnown()).as(what).isTrue();
        assertThat(p.format()).as(what).isNotEqualTo(DrmFormat.C8);
        assertThat(p.modifier().isLinear() || p.modifier().isKnownTiling()).as(what).isTrue();
        assertThat(p.format().fourcc()).isEqualTo((int) raw.drmFormat());
        assertThat(p.modifier().value()).isEqualTo(raw.drmFormatMod());
        assertThat((long) p.width()).as(what).isEqualTo(raw.width()).isBetween(1L, (long) PlaneValidator.MAX_DIMENSION);
        assertThat((long) p.height()).as(what).isEqualTo(raw.height()).isBetween(1L, (long) PlaneValidator.MAX_DIMENSION);
        if (plane == PlaneType.CURSOR) {
            assertThat(p.width()).as(what).isLessThanOrEqualTo(PlaneValidator.MAX_CURSOR);
            assertThat(p.height()).as(what).isLessThanOrEqualTo(PlaneValidator.MAX_CURSOR);
        }
        assertThat((long) p.stride()).as(what).isEqualTo(raw.stride()).isLessThanOrEqualTo(PlaneValidator.MAX_STRIDE);
        assertThat(p.size()).as(what).isEqualTo(raw.size());
        BigInteger w = BigInteger.valueOf(raw.width());
        BigInteger h = BigInteger.valueOf(raw.height());
        BigInteger stride = BigInteger.valueOf(raw.stride());
        boolean yuv422 = p.format().spec().orElseThrow().layout() == DrmFormat.Layout.YUV422;
        BigInteger row = yuv422 ? w.add(BigInteger.ONE).shiftRight(1).multiply(BigInteger.valueOf(4))
                : w.multiply(BigInteger.valueOf(p.format().bytesPerPixel()));
        assertThat(stride).as(what + ": stride >= row bytes").isGreaterThanOrEqualTo(row);
        BigInteger required;
        if (p.modifier().isLinear()) {
            required = stride.multiply(h.subtract(BigInteger.ONE)).add(row);
        } else {
            assertThat(raw.stride() % p.modifier().tileWidthBytes()).as(what + ": tiled stride").isZero();
            BigInteger rows = BigInteger.valueOf(p.modifier().tileRows());
            required = stride.multiply(h.add(rows).subtract(BigInteger.ONE).divide(rows).multiply(rows));
        }
        assertThat(required).as(what + ": layout inside size").isLessThanOrEqualTo(BigInteger.valueOf(raw.size()));
        assertThat(p.requiredBytes()).as(what).isEqualTo(required.longValueExact());
        assertThat(p.x()).isEqualTo((int) raw.xPos());
        assertThat(p.y()).isEqualTo((int) raw.yPos());
        assertThat(p.bufferId()).isEqualTo(raw.bufferId());
        if (plane == PlaneType.CURSOR && raw.xHot() != PlaneValidator.NO_HOTSPOT) {
            assertThat(raw.xHot()).as(what).isLessThan(raw.width());
            assertThat(raw.yHot()).as(what).isLessThan(raw.height());
            assertThat(p.hotspot()).as(what).isPresent();
            assertThat((long) p.hotspot().get().x()).isEqualTo(raw.xHot());
            assertThat((long) p.hotspot().get().y()).isEqualTo(raw.yHot());
        } else {
            if (plane == PlaneType.CURSOR) {
                assertThat(raw.yHot()).as(what).isEqualTo(PlaneValidator.NO_HOTSPOT);
            }
            assertThat(p.hotspot()).as(what).isEmpty();
        }
    }
}
