package io.github.scanout.sink.gl.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The few EGL (and one GL) calls that zero-copy dma-buf import needs, behind an interface so a
 * fake EGL layer can check the attribute lists and drive the failure paths in tests.
 *
 * <p>Threads: called only on the GL thread that owns the context the images are used with.
 */
interface EglImportApi {

    /** The display's extension names ({@code eglQueryString(display, EGL_EXTENSIONS)}). */
    Set<String> displayExtensions();

    /** Whether GL can texture from an EGLImage ({@code GL_OES_EGL_image}). */
    boolean glCanBindImages();

    /**
     * {@code eglCreateImageKHR(display, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attributes)}.
     *
     * @param attributes key/value pairs ending with EGL_NONE
     * @return the image, or 0 ({@code EGL_NO_IMAGE_KHR}) on failure: see {@link #lastError()}
     */
    long createDmaBufImage(int[] attributes);

    /** {@code eglGetError()}: the error of the last failed call. */
    int lastError();

    /** {@code eglDestroyImageKHR}. */
    void destroyImage(long image);

    /**
     * {@code glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, image)}: makes the texture bound to
     * GL_TEXTURE_2D show the image.
     */
    void bindToTexture2D(long image);

    /**
     * The modifiers the display can import for a fourcc ({@code eglQueryDmaBufModifiersEXT}),
     * or empty when it cannot say (no query, or the query failed).
     */
    Optional<List<SupportedModifier>> modifiers(int fourcc);

    /**
     * One modifier the display imports for a format.
     *
     * @param externalOnly whether it can only be sampled as GL_TEXTURE_EXTERNAL_OES (not as a
     *     2D texture, which is what Scanout binds)
     */
    record SupportedModifier(long modifier, boolean externalOnly) {}

    /**
     * Why the display's dma-buf import must not be used although it is offered (a driver known
     * to crash on it), or empty.
     */
    default java.util.Optional<String> importDefect() {
        return java.util.Optional.empty();
    }
}
