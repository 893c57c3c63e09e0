package io.github.scanout.sink.gl.internal;

import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_DMA_BUF_PLANE0_FD_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_DMA_BUF_PLANE0_OFFSET_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_DMA_BUF_PLANE0_PITCH_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_HEIGHT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_LINUX_DRM_FOURCC_EXT;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_NONE;
import static io.github.scanout.sink.gl.internal.DmaBufAttributes.EGL_WIDTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The eglCreateImage attribute lists, and the import decisions made before any EGL call. No GL. */
class DmaBufAttributesTest {

    private static PlaneInfo plane(DrmFormat f, Modifier m) {
        return GlTestSupport.plane(f, m, 1024, 768, 4096, PlaneType.PRIMARY);
    }

    @Test
    void linearWithoutTheModifiersExtensionPassesNoModifier() throws Exception {
        int[] a = DmaBufAttributes.build(plane(DrmFormat.XRGB8888, Modifier.LINEAR), 42, false);
        assertThat(a).containsExactly(EGL_WIDTH, 1024, EGL_HEIGHT, 768, EGL_LINUX_DRM_FOURCC_EXT, 0x34325258,
                EGL_DMA_BUF_PLANE0_FD_EXT, 42, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0, EGL_DMA_BUF_PLANE0_PITCH_EXT, 4096,
                EGL_NONE);
    }

    @Test
    void modifiersGoAsLowAndHighHalvesWhenTheExtensionIsThere() throws Exception {
        int[] x = DmaBufAttributes.build(plane(DrmFormat.XRGB8888, Modifier.I915_X_TILED), 7, true);
        assertThat(FakeEgl.value(x, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).isEqualTo(1);
        assertThat(FakeEgl.value(x, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isEqualTo(0x01000000);
        assertThat(x[x.length - 1]).isEqualTo(EGL_NONE);
        int[] linear = DmaBufAttributes.build(plane(DrmFormat.ABGR8888, Modifier.LINEAR), 7, true);
        assertThat(FakeEgl.value(linear, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).as("explicit linear").isZero();
        assertThat(FakeEgl.value(linear, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isZero();
        Modifier odd = new Modifier(0x0300_0000_8000_0001L);
        int[] hi = DmaBufAttributes.build(plane(DrmFormat.XRGB8888, odd), 7, true);
        assertThat(FakeEgl.value(hi, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).isEqualTo(0x8000_0001);
        assertThat(FakeEgl.value(hi, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isEqualTo(0x0300_0000);
    }

    @Test
    void invalidIsNeverPassedAsAModifier() throws Exception {
        for (boolean ext : new boolean[] {true, false}) {
            int[] a = DmaBufAttributes.build(plane(DrmFormat.XRGB8888, Modifier.INVALID), 3, ext);
            assertThat(FakeEgl.value(a, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).isNull();
            assertThat(FakeEgl.value(a, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isNull();
            assertThat(a).doesNotContain(0x00ffffff, -1);
        }
    }

    @Test
    void tiledWithoutTheModifiersExtensionCannotBeImported() {
        assertThatThrownBy(() -> DmaBufAttributes.build(plane(DrmFormat.XRGB8888, Modifier.I915_Y_TILED), 3, false))
                .isInstanceOf(DmaBufAttributes.NotImportable.class)
                .hasMessageContaining("I915_Y_TILED").hasMessageContaining(DmaBufAttributes.IMPORT_MODIFIERS);
    }

    @Test
    void packedYuvIsNotImportedAsA2dTexture() {
        assertThatThrownBy(() -> DmaBufAttributes.build(plane(DrmFormat.YUYV, Modifier.LINEAR), 3, true))
                .isInstanceOf(DmaBufAttributes.NotImportable.class).hasMessageContaining("YUYV");
    }

    @Test
    void importerSaysWhyItIsUnavailable() {
        assertThat(new DmaBufImporter(Optional.empty()).unavailable()).get().asString().contains("GLX");
        FakeEgl none = new FakeEgl(Set.of("EGL_KHR_image_base"), null);
        assertThat(new DmaBufImporter(Optional.of(none)).unavailable()).get().asString()
                .contains("EGL_EXT_image_dma_buf_import is not offered");
        FakeEgl plain = new FakeEgl(Set.of(DmaBufAttributes.IMPORT), null);
        DmaBufImporter importer = new DmaBufImporter(Optional.of(plain));
        assertThat(importer.unavailable()).isEmpty();
        assertThat(importer.check(plane(DrmFormat.XRGB8888, Modifier.LINEAR))).isEmpty();
        assertThat(importer.check(plane(DrmFormat.XRGB8888, Modifier.I915_X_TILED))).get().asString()
                .contains(DmaBufAttributes.IMPORT_MODIFIERS);
    }

    @Test
    void listedModifiersDecide() {
        FakeEgl egl = FakeEgl.withModifiers(null);
        egl.listModifiers(List.of(new EglImportApi.SupportedModifier(0, false),
                new EglImportApi.SupportedModifier(Modifier.I915_X_TILED.value(), false),
                new EglImportApi.SupportedModifier(Modifier.I915_Y_TILED.value(), true)));
        DmaBufImporter importer = new DmaBufImporter(Optional.of(egl));
        assertThat(importer.check(plane(DrmFormat.XRGB8888, Modifier.I915_X_TILED))).isEmpty();
        assertThat(importer.check(plane(DrmFormat.XRGB8888, Modifier.I915_Y_TILED))).get().asString()
                .contains("external");
        assertThat(importer.check(plane(DrmFormat.XRGB8888, Modifier.I915_YF_TILED))).get().asString()
                .contains("does not import");
    }
}
