package io.github.scanout.sink.gl.internal;

import java.util.Optional;
import java.util.Set;
import org.lwjgl.egl.EGL10;
import org.lwjgl.glfw.GLFW;
import org.lwjgl.glfw.GLFWNativeEGL;
import org.lwjgl.glfw.GLFWNativeX11;
import org.lwjgl.opengl.GL;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL30;
import org.lwjgl.opengl.GLCapabilities;
import org.lwjgl.system.JNI;

/**
 * A GLFW window with an OpenGL 3.3 core context. The context comes from EGL when that EGL
 * display can import dma-bufs (zero copy into the window), otherwise from the native API (GLX):
 * with Mesa's software renderer GLX is the faster one and no API imports dma-bufs anyway.
 *
 * <p>Threads: created, used and destroyed on the {@link GlfwThread}.
 */
final class GlfwWindow implements GlContext {
    static final int EGL_PLATFORM_X11_KHR = 0x31D5;

    private final long window;
    private final GLCapabilities caps;
    private final boolean egl;
    private final String description;
    private final Optional<EglImportApi> importApi;
    private boolean closed;

    private GlfwWindow(long window, GLCapabilities caps, boolean egl, String description, Optional<EglImportApi> importApi) {
        this.window = window;
        this.caps = caps;
        this.egl = egl;
        this.description = description;
        this.importApi = importApi;
    }

    /**
     * Creates and shows the window, its context current on the calling (GLFW) thread.
     *
     * @throws GlUnavailableException when no window or no GL 3.3 core context can be made
     */
    static GlfwWindow create(GlSinkOptions options, int width, int height, String title, String lastGlfwError)
            throws GlUnavailableException {
        boolean useEgl = switch (options.windowApi()) {
            case EGL -> true;
            case NATIVE -> false;
            case AUTO -> eglCanImportOnX11();
        };
        GLFW.glfwDefaultWindowHints();
        GLFW.glfwWindowHint(GLFW.GLFW_CONTEXT_VERSION_MAJOR, 3);
        GLFW.glfwWindowHint(GLFW.GLFW_CONTEXT_VERSION_MINOR, 3);
        GLFW.glfwWindowHint(GLFW.GLFW_OPENGL_PROFILE, GLFW.GLFW_OPENGL_CORE_PROFILE);
        GLFW.glfwWindowHint(GLFW.GLFW_OPENGL_FORWARD_COMPAT, GLFW.GLFW_TRUE);
        GLFW.glfwWindowHint(GLFW.GLFW_RESIZABLE, GLFW.GLFW_TRUE);
        GLFW.glfwWindowHint(GLFW.GLFW_VISIBLE, GLFW.GLFW_TRUE);
        GLFW.glfwWindowHint(GLFW.GLFW_CONTEXT_CREATION_API, useEgl ? GLFW.GLFW_EGL_CONTEXT_API : GLFW.GLFW_NATIVE_CONTEXT_API);
        long w = GLFW.glfwCreateWindow(width, height, title, 0L, 0L);
        if (w == 0) {
            throw new GlUnavailableException("no " + width + "x" + height + " window with an OpenGL 3.3 core context ("
                    + (useEgl ? "EGL" : "native") + " API): " + GlfwThread.shared().lastError());
        }
        GLFW.glfwMakeContextCurrent(w);
        Natives.requireGl();
        GLCapabilities caps = GL.createCapabilities();
        GLFW.glfwSwapInterval(options.vsync() ? 1 : 0);
        boolean oesImage = hasGlExtension("GL_OES_EGL_image");
        Optional<EglImportApi> api = Optional.empty();
        if (useEgl && Natives.eglLoaded()) {
            long display = GLFWNativeEGL.glfwGetEGLDisplay();
            Set<String> ext = EglHeadless.split(EGL10.eglQueryString(display, EglHeadless.EGL_EXTENSIONS));
            api = Optional.of(new LwjglEglImport(display, ext, oesImage, null));
        }
        String description = "window (" + (useEgl ? "EGL" : "GLX") + "), " + GL11.glGetString(GL11.GL_VENDOR) + " "
                + GL11.glGetString(GL11.GL_RENDERER) + ", OpenGL " + GL11.glGetString(GL11.GL_VERSION);
        return new GlfwWindow(w, caps, useEgl, description, api);
    }

    /** Whether libEGL's X11 display offers EGL_EXT_image_dma_buf_import (decides the window's API). */
    private static boolean eglCanImportOnX11() {
        try {
            Natives.requireEgl();
        } catch (GlUnavailableException e) {
            return false;
        }
        Set<String> client = EglHeadless.split(EGL10.eglQueryString(0, EglHeadless.EGL_EXTENSIONS));
        if (!client.contains("EGL_KHR_platform_x11") && !client.contains("EGL_EXT_platform_x11")) {
            return false;
        }
        long f = EGL10.eglGetProcAddress(client.contains("EGL_EXT_platform_base") ? "eglGetPlatformDisplayEXT"
                : "eglGetPlatformDisplay");
        long x11 = GLFW.glfwGetPlatform() == GLFW.GLFW_PLATFORM_X11 ? GLFWNativeX11.glfwGetX11Display() : 0;
        if (f == 0 || x11 == 0) {
            return false;
        }
        long display = JNI.invokePPP(EGL_PLATFORM_X11_KHR, x11, 0L, f);
        if (display == 0 || !EGL10.eglInitialize(display, (int[]) null, (int[]) null)) {
            return false;
        }
        // not terminated: GLFW's EGL context uses this same display object
        return EglHeadless.split(EGL10.eglQueryString(display, EglHeadless.EGL_EXTENSIONS))
                .contains(DmaBufAttributes.IMPORT);
    }

    private static boolean hasGlExtension(String name) {
        int n = GL11.glGetInteger(GL30.GL_NUM_EXTENSIONS);
        for (int i = 0; i < n; i++) {
            if (name.equals(GL30.glGetStringi(GL11.GL_EXTENSIONS, i))) {
                return true;
            }
        }
        return false;
    }

    long handle() {
        return window;
    }

    boolean egl() {
        return egl;
    }

    @Override
    public void makeCurrent() {
        GLFW.glfwMakeContextCurrent(window);
        GL.setCapabilities(caps);
    }

    @Override
    public void releaseCurrent() {
        GLFW.glfwMakeContextCurrent(0L);
        GL.setCapabilities(null);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Optional<EglImportApi> importApi() {
        return importApi;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            GLFW.glfwDestroyWindow(window);
            GL.setCapabilities(null);
        }
    }
}
