package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.device.DmaBuf;
import java.util.List;
import java.util.Optional;
import org.lwjgl.opengl.GL11;

/**
 * Zero-copy import of a dma-buf: an EGLImage from its fd, and a GL texture that shows it.
 *
 * <p>Availability is decided once per context: the display must offer
 * EGL_EXT_image_dma_buf_import and GL must offer GL_OES_EGL_image. Per buffer, the format must
 * be one GL samples as RGB, a tiled modifier needs the modifiers extension, and when the display
 * lists the modifiers it imports for the format, the buffer's must be among them and not
 * external-only.
 *
 * <p>Threads: the GL thread that owns the context.
 */
final class DmaBufImporter {

    /** One imported buffer: a texture name and the EGLImage behind it. */
    record Imported(int texture, long image) {}

    private final EglImportApi api;
    private final String unavailable;
    private final boolean modifiersExtension;

    /** @param api the EGL calls, or empty for a context without EGL (a GLX window) */
    DmaBufImporter(Optional<EglImportApi> api) {
        this.api = api.orElse(null);
        this.unavailable = reason(api);
        this.modifiersExtension = api.map(a -> a.displayExtensions().contains(DmaBufAttributes.IMPORT_MODIFIERS))
                .orElse(false);
    }

    private static String reason(Optional<EglImportApi> api) {
        if (api.isEmpty()) {
            return "the GL context is not an EGL context (GLX window), so dma-bufs cannot be imported into it";
        }
        if (!api.get().displayExtensions().contains(DmaBufAttributes.IMPORT)) {
            return DmaBufAttributes.IMPORT + " is not offered by the EGL display (Mesa's software renderer llvmpipe"
                    + " never offers it; a GPU driver does)";
        }
        if (api.get().importDefect().isPresent()) {
            return api.get().importDefect().get();
        }
        if (!api.get().glCanBindImages()) {
            return "GL_OES_EGL_image (glEGLImageTargetTexture2DOES) is not offered by the GL context";
        }
        return null;
    }

    /** Why zero-copy import cannot work in this context at all, or empty when it can. */
    Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    /** Whether the display offers EGL_EXT_image_dma_buf_import_modifiers. */
    boolean modifiersExtension() {
        return modifiersExtension;
    }

    /**
     * Whether the buffer could be described to EGL (format, modifier, supported modifiers), with
     * no EGL object created; empty when yes, else the reason.
     */
    Optional<String> check(PlaneInfo plane) {
        if (unavailable != null) {
            return Optional.of(unavailable);
        }
        try {
            DmaBufAttributes.build(plane, 0, modifiersExtension);
        } catch (DmaBufAttributes.NotImportable e) {
            return Optional.of(e.getMessage());
        }
        return checkModifier(plane);
    }

    private Optional<String> checkModifier(PlaneInfo plane) {
        if (!modifiersExtension || plane.modifier().isInvalid()) {
            return Optional.empty();
        }
        Optional<List<EglImportApi.SupportedModifier>> listed = api.modifiers(plane.format().fourcc());
        if (listed.isEmpty() || listed.get().isEmpty()) {
            return Optional.empty(); // the display cannot say: let the import decide
        }
        for (EglImportApi.SupportedModifier s : listed.get()) {
            if (s.modifier() == plane.modifier().value()) {
                return s.externalOnly()
                        ? Optional.of("modifier " + plane.modifier() + " of " + plane.format()
                                + " imports only as an external (OES) texture")
                        : Optional.empty();
            }
        }
        return Optional.of("the EGL display does not import " + plane.format() + " with modifier " + plane.modifier()
                + " (it lists " + listed.get().size() + " modifiers for that format)");
    }

    /**
     * Imports the buffer: an EGLImage and a texture bound to it (GL_NEAREST, clamped).
     *
     * @throws ImportFailedException with the reason: unavailable, not describable, or the
     *     EGL/GL error
     */
    Imported importBuffer(PlaneInfo plane, DmaBuf dmaBuf) throws ImportFailedException {
        Optional<String> problem = check(plane);
        if (problem.isPresent()) {
            throw new ImportFailedException(problem.get());
        }
        int[] attributes;
        try {
            attributes = DmaBufAttributes.build(plane, dmaBuf.fd(), modifiersExtension);
        } catch (DmaBufAttributes.NotImportable e) {
            throw new ImportFailedException(e.getMessage());
        }
        long image = api.createDmaBufImage(attributes);
        if (image == 0) {
            throw new ImportFailedException("eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT) failed for " + plane + ": "
                    + EglErrors.name(api.lastError()));
        }
        int texture = GL11.glGenTextures();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GlTextures.nearestClamped();
        while (GL11.glGetError() != GL11.GL_NO_ERROR) {
            // clear stale errors so the check below is about the bind only
        }
        api.bindToTexture2D(image);
        int error = GL11.glGetError();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
        if (error != GL11.GL_NO_ERROR) {
            GL11.glDeleteTextures(texture);
            api.destroyImage(image);
            throw new ImportFailedException("glEGLImageTargetTexture2DOES failed for " + plane + ": GL error 0x"
                    + Integer.toHexString(error));
        }
        return new Imported(texture, image);
    }

    /** Deletes the texture and destroys the image. */
    void release(Imported imported) {
        GL11.glDeleteTextures(imported.texture());
        api.destroyImage(imported.image());
    }
}
