package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.sim.GvtDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format of docs/abi.md section 2 that the CPU can show, linear and X/Y-tiled, through real
 * buffers of the simulated GVT-g: the canonical conversion (api's PixelConverter) of what the
 * session hands out is pixel-exact against the sim's own decoding of its memory, and against the
 * colours the guest drew wherever the format holds them exactly.
 */
class FormatsTest extends SessionFixture {

    /** Colours every RGB format holds exactly (channels 0 or 255); alpha only where the format has it. */
    static final int[] EXACT = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff, 0xff000000, 0xffffff00, 0x80ff00ff,
        0x00000000};

    static Stream<Arguments> formatsAndTilings() {
        List<Arguments> out = new ArrayList<>();
        for (DrmFormat f : DrmFormat.known()) {
            if (f.equals(DrmFormat.C8)) {
                continue;
            }
            for (Modifier m : new Modifier[] {Modifier.LINEAR, Modifier.I915_X_TILED, Modifier.I915_Y_TILED}) {
                out.add(Arguments.of(f, m));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("formatsAndTilings")
    void convertsPixelExactly(DrmFormat format, Modifier modifier) throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        int width = 203; // odd, and rows that end inside a tile and inside an OWord
        int height = 45; // not a multiple of 8 or 32
        g.setPrimary(format, modifier, width, height);
        g.drawTestPattern(6);
        boolean yuv = format.spec().orElseThrow().layout() == DrmFormat.Layout.YUV422;
        boolean alpha = format.spec().orElseThrow().alpha();
        for (int i = 0; i < EXACT.length; i++) {
            g.fillRect(i * 20, 40, 20, 5, EXACT[i]);
        }
        DmaBufSession s = session();
        for (boolean consistent : new boolean[] {false, true}) {
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, consistent)) {
                PlaneInfo info = b.info();
                assertThat(info.format()).isEqualTo(format);
                assertThat(info.modifier()).isEqualTo(Modifier.LINEAR);
                if (!modifier.isLinear()) {
                    assertThat(b.memory()).as("tiled buffers are detiled").isEqualTo(MemoryKind.SNAPSHOT);
                    assertThat((long) info.stride()).as("a detiled copy has packed rows").isEqualTo(info.rowBytes());
                    assertThat(info.size()).isEqualTo(info.rowBytes() * height);
                } else {
                    assertThat(b.memory()).isEqualTo(consistent ? MemoryKind.SNAPSHOT : MemoryKind.DMABUF_MAPPING);
                }
                int[] got = argb(b);
                assertThat(got).as("%s %s against the sim's decoding", format, modifier).isEqualTo(g.pixels());
                if (!yuv) {
                    for (int i = 0; i < EXACT.length; i++) {
                        int expected = alpha ? EXACT[i] : EXACT[i] | 0xff000000;
                        assertThat(got[42 * width + i * 20 + 7]).as("%s colour %08x", format, EXACT[i])
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void otherPrimaryFormatsFromTheSpec() throws Exception {
        for (String spec : new String[] {"sim:gvt?format=RG16&mmap=allow", "sim:gvt?format=XB30&tiling=y&mmap=allow",
            "sim:gvt?format=UYVY&tiling=x&mmap=allow&mode=333x77"}) {
            GvtDevice g = open(spec);
            DmaBufSession s = session();
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
                assertThat(b.info().format().toString()).isEqualTo(spec.substring(15, 19));
                assertThat(argb(b)).as(spec).isEqualTo(g.pixels());
            }
        }
    }

    @Test
    void paletteFormatC8IsRefusedWithItsFourcc() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        g.setPrimary(DrmFormat.C8, Modifier.LINEAR, 64, 64);
        DmaBufSession s = session();
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, true)).isInstanceOf(InvalidPlaneException.class)
                .hasMessageContaining("drm_format = 0x20203843 (C8)").hasMessageContaining("no palette");
        assertThat(device.calls()).noneMatch(c -> c.startsWith("openDmaBuf"));
    }

    @Test
    void tiledBuffersThatCannotBeMappedGoToImportersUntouched() throws Exception {
        GvtDevice g = open("sim:gvt?tiling=y");
        DmaBufSession s = session();
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(b.memory()).isEqualTo(MemoryKind.DMABUF_FD);
            assertThat(b.info().modifier()).isEqualTo(Modifier.I915_Y_TILED);
            assertThat(b.info().stride()).isEqualTo(g.primaryPlane().orElseThrow().stride());
        }
    }

    @Test
    void yfTiledBuffersAreNotDetiledButGoToImporters() throws Exception {
        open("sim:gvt?tiling=x&mmap=allow");
        scripted.planes((plane, a) -> a.modifier = Modifier.I915_YF_TILED.value());
        DmaBufSession s = session();
        for (boolean consistent : new boolean[] {false, true}) {
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, consistent)) {
                assertThat(b.memory()).isEqualTo(MemoryKind.DMABUF_FD);
                assertThat(b.info().modifier()).isEqualTo(Modifier.I915_YF_TILED);
                assertThat(b.dmaBuf()).isPresent();
            }
        }
    }
}
