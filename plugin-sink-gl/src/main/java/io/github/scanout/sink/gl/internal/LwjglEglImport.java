package io.github.scanout.sink.gl.internal;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lwjgl.egl.EGL10;
import org.lwjgl.opengl.GL11;
import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * {@link EglImportApi} on a real EGL display, through function pointers from
 * {@code eglGetProcAddress} (LWJGL's checked wrappers consult capability flags that are not
 * reliable for extension functions).
 *
 * <p>Threads: the GL thread that owns the display's context.
 */
final class LwjglEglImport implements EglImportApi {
    static final int EGL_LINUX_DMA_BUF_EXT = 0x3270;

    private final long display;
    private final Set<String> extensions;
    private final boolean glEglImage;
    private final long createImage;
    private final long destroyImage;
    private final long imageTargetTexture;
    private final long queryModifiers;

    private final String defect;

    LwjglEglImport(long display, Set<String> extensions, boolean glEglImage, String defect) {
        this.defect = defect;
        this.display = display;
        this.extensions = Set.copyOf(extensions);
        this.glEglImage = glEglImage;
        this.createImage = EGL10.eglGetProcAddress("eglCreateImageKHR");
        this.destroyImage = EGL10.eglGetProcAddress("eglDestroyImageKHR");
        this.imageTargetTexture = EGL10.eglGetProcAddress("glEGLImageTargetTexture2DOES");
        this.queryModifiers = extensions.contains("EGL_EXT_image_dma_buf_import_modifiers")
                ? EGL10.eglGetProcAddress("eglQueryDmaBufModifiersEXT") : 0;
    }

    @Override
    public Set<String> displayExtensions() {
        return extensions;
    }

    @Override
    public boolean glCanBindImages() {
        return glEglImage && imageTargetTexture != 0 && createImage != 0 && destroyImage != 0;
    }

    @Override
    public long createDmaBufImage(int[] attributes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer list = stack.ints(attributes);
            return JNI.callPPPPP(display, 0L, EGL_LINUX_DMA_BUF_EXT, 0L, MemoryUtil.memAddress(list), createImage);
        }
    }

    @Override
    public int lastError() {
        return EGL10.eglGetError();
    }

    @Override
    public void destroyImage(long image) {
        JNI.callPPI(display, image, destroyImage);
    }

    @Override
    public void bindToTexture2D(long image) {
        JNI.callPV(GL11.GL_TEXTURE_2D, image, imageTargetTexture);
    }

    @Override
    public Optional<List<SupportedModifier>> modifiers(int fourcc) {
        if (queryModifiers == 0) {
            return Optional.empty();
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            if (JNI.callPPPPI(display, fourcc, 0, 0L, 0L, MemoryUtil.memAddress(count), queryModifiers) == 0) {
                return Optional.empty();
            }
            int n = count.get(0);
            if (n == 0) {
                return Optional.of(List.of());
            }
            LongBuffer mods = stack.mallocLong(n);
            IntBuffer external = stack.mallocInt(n);
            if (JNI.callPPPPI(display, fourcc, n, MemoryUtil.memAddress(mods), MemoryUtil.memAddress(external),
                    MemoryUtil.memAddress(count), queryModifiers) == 0) {
                return Optional.empty();
            }
            List<SupportedModifier> out = new ArrayList<>();
            for (int i = 0; i < count.get(0); i++) {
                out.add(new SupportedModifier(mods.get(i), external.get(i) != 0));
            }
            return Optional.of(out);
        }
    }

    @Override
    public java.util.Optional<String> importDefect() {
        return java.util.Optional.ofNullable(defect);
    }
}
