package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import java.util.Arrays;
import java.util.Set;

/**
 * Builds the attribute list of {@code eglCreateImageKHR(..., EGL_LINUX_DMA_BUF_EXT, ...)} for one
 * single-plane dma-buf, following EGL_EXT_image_dma_buf_import(_modifiers):
 * width, height, fourcc, plane 0 fd, offset 0 and pitch, and the modifier as LO/HI halves only
 * when the modifiers extension is present and the modifier is a real one. {@code INVALID} is
 * never passed on (it means "no modifier was given"); a tiled modifier without the modifiers
 * extension cannot be described, so the buffer cannot be imported.
 *
 * <p>Stateless and thread-safe.
 */
final class DmaBufAttributes {
    private DmaBufAttributes() {}

    static final int EGL_NONE = 0x3038;
    static final int EGL_WIDTH = 0x3057;
    static final int EGL_HEIGHT = 0x3056;
    static final int EGL_LINUX_DRM_FOURCC_EXT = 0x3271;
    static final int EGL_DMA_BUF_PLANE0_FD_EXT = 0x3272;
    static final int EGL_DMA_BUF_PLANE0_OFFSET_EXT = 0x3273;
    static final int EGL_DMA_BUF_PLANE0_PITCH_EXT = 0x3274;
    static final int EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT = 0x3443;
    static final int EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT = 0x3444;

    static final String IMPORT = "EGL_EXT_image_dma_buf_import";
    static final String IMPORT_MODIFIERS = "EGL_EXT_image_dma_buf_import_modifiers";

    /**
     * Formats Scanout imports into a 2D texture: single-plane RGB formats whose EGL import gives
     * a texture that samples true red, green and blue. Packed YUV imports only as an external
     * (OES) texture in most drivers and goes through the CPU path instead.
     */
    static final Set<DrmFormat> FORMATS = Set.of(DrmFormat.XRGB8888, DrmFormat.ARGB8888, DrmFormat.XBGR8888,
            DrmFormat.ABGR8888, DrmFormat.RGB888, DrmFormat.BGR888, DrmFormat.RGB565, DrmFormat.XRGB2101010,
            DrmFormat.XBGR2101010);

    /** Why a buffer cannot be described to EGL. */
    static final class NotImportable extends Exception {
        private static final long serialVersionUID = 1L;

        NotImportable(String message) {
            super(message);
        }
    }

    /**
     * The attribute list, ending with EGL_NONE.
     *
     * @param plane the validated plane
     * @param fd the dma-buf fd (the caller keeps owning it; EGL takes its own reference)
     * @param modifiersExtension whether the display offers EGL_EXT_image_dma_buf_import_modifiers
     * @throws NotImportable when the format is not imported into 2D textures, or the modifier is
     *     tiled and the modifiers extension is missing
     */
    static int[] build(PlaneInfo plane, int fd, boolean modifiersExtension) throws NotImportable {
        if (!FORMATS.contains(plane.format())) {
            throw new NotImportable("format " + plane.format() + " is not imported as a 2D texture (imported: "
                    + names() + ")");
        }
        Modifier m = plane.modifier();
        boolean passModifier = modifiersExtension && !m.isInvalid();
        if (!m.isLinear() && !m.isInvalid() && !modifiersExtension) {
            throw new NotImportable("modifier " + m + " needs " + IMPORT_MODIFIERS + ", which the EGL display does not offer");
        }
        int[] a = new int[passModifier ? 17 : 13];
        int i = 0;
        a[i++] = EGL_WIDTH;
        a[i++] = plane.width();
        a[i++] = EGL_HEIGHT;
        a[i++] = plane.height();
        a[i++] = EGL_LINUX_DRM_FOURCC_EXT;
        a[i++] = plane.format().fourcc();
        a[i++] = EGL_DMA_BUF_PLANE0_FD_EXT;
        a[i++] = fd;
        a[i++] = EGL_DMA_BUF_PLANE0_OFFSET_EXT;
        a[i++] = 0; // a VFIO dma-buf starts at the plane: its buffer object is the framebuffer
        a[i++] = EGL_DMA_BUF_PLANE0_PITCH_EXT;
        a[i++] = plane.stride();
        if (passModifier) {
            a[i++] = EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
            a[i++] = (int) m.value();
            a[i++] = EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
            a[i++] = (int) (m.value() >>> 32);
        }
        a[i] = EGL_NONE;
        return a;
    }

    private static String names() {
        return Arrays.toString(FORMATS.stream().map(DrmFormat::toString).sorted().toArray());
    }
}
