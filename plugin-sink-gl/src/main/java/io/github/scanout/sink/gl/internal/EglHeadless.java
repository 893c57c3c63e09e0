package io.github.scanout.sink.gl.internal;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lwjgl.PointerBuffer;
import org.lwjgl.egl.EGL10;
import org.lwjgl.egl.EGL12;
import org.lwjgl.opengl.GL;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GLCapabilities;
import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;

/**
 * A headless OpenGL 3.3 core context on EGL, without any surface: rendering goes into FBOs.
 *
 * <p>The display comes from {@code EGL_MESA_platform_surfaceless} (Mesa, including llvmpipe) or
 * {@code EGL_EXT_platform_device} (NVIDIA's headless route, also Mesa's), as configured. On a
 * DRM device with no GPU (vgem, vkms) Mesa's software driver for DRM devices, kms_swrast, offers
 * the dma-buf import but cannot read a buffer another driver exported: the kernel refuses to map
 * an imported dumb buffer, and Mesa 22.3 then reads through the failed mapping and crashes the
 * process (SIGSEGV in kms_swrast_dri.so; kernel-e2e's GlImportKernelCheck). Its import is
 * therefore reported as unusable ({@link EglImportApi#importDefect()}). Two
 * LWJGL quirks are worked around here: LWJGL's client-extension flags read false even when the
 * extension is present, so the client extension string is parsed here; and its checked
 * {@code eglGetPlatformDisplay} wrapper refuses a null native display, so the function pointer
 * is called directly.
 *
 * <p>Threads: created on the thread that will own it (it is left current there); see
 * {@link GlContext}.
 */
final class EglHeadless implements GlContext {

    static final int EGL_NONE = 0x3038;
    static final int EGL_EXTENSIONS = 0x3055;
    static final int EGL_VENDOR = 0x3053;
    static final int EGL_PLATFORM_SURFACELESS_MESA = 0x31DD;
    static final int EGL_PLATFORM_DEVICE_EXT = 0x313F;
    static final int EGL_OPENGL_API = 0x30A2;
    static final int EGL_CONTEXT_MAJOR_VERSION = 0x3098;
    static final int EGL_CONTEXT_MINOR_VERSION = 0x30FB;
    static final int EGL_CONTEXT_OPENGL_PROFILE_MASK = 0x30FD;
    static final int EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT = 0x1;
    static final int EGL_RENDERABLE_TYPE = 0x3040;
    static final int EGL_OPENGL_BIT = 0x0008;
    static final int EGL_SURFACE_TYPE = 0x3033;
    static final int EGL_PBUFFER_BIT = 0x0001;

    private final long display;
    private final long context;
    private final String platform;
    private final Set<String> displayExtensions;
    private final GLCapabilities caps;
    private final String description;
    private final boolean glEglImage;
    private final String importDefect;
    private boolean closed;

    private EglHeadless(long display, long context, String platform, Set<String> displayExtensions, GLCapabilities caps,
            String description, boolean glEglImage, String importDefect) {
        this.importDefect = importDefect;
        this.display = display;
        this.context = context;
        this.platform = platform;
        this.displayExtensions = displayExtensions;
        this.caps = caps;
        this.description = description;
        this.glEglImage = glEglImage;
    }

    /**
     * Opens a display on the platform, creates a GL 3.3 core context and makes it current on
     * the calling thread.
     *
     * @throws GlUnavailableException naming what is missing (libEGL, a platform extension,
     *     surfaceless contexts, desktop GL 3.3)
     */
    static EglHeadless create(EglPlatform platform) throws GlUnavailableException {
        Natives.requireEgl();
        Set<String> client = split(EGL10.eglQueryString(0, EGL_EXTENSIONS));
        List<String> problems = new ArrayList<>();
        List<EglPlatform> order = platform == EglPlatform.AUTO ? List.of(EglPlatform.SURFACELESS, EglPlatform.DEVICE)
                : List.of(platform);
        for (EglPlatform p : order) {
            try {
                return open(p, client);
            } catch (GlUnavailableException e) {
                problems.add(e.getMessage());
            }
        }
        throw new GlUnavailableException("no headless EGL display: " + String.join("; ", problems));
    }

    private static EglHeadless open(EglPlatform p, Set<String> client) throws GlUnavailableException {
        long getPlatformDisplay = platformDisplayFunction(client);
        long display;
        String name;
        if (p == EglPlatform.SURFACELESS) {
            if (!client.contains("EGL_MESA_platform_surfaceless")) {
                throw new GlUnavailableException("EGL_MESA_platform_surfaceless is not offered (client extensions: "
                        + client + "); Mesa's libegl-mesa0 offers it: " + Natives.MESA_PACKAGES);
            }
            display = JNI.invokePPP(EGL_PLATFORM_SURFACELESS_MESA, 0L, 0L, getPlatformDisplay);
            name = "EGL surfaceless";
            return initialise(display, name);
        }
        if (!client.contains("EGL_EXT_platform_device") || !client.contains("EGL_EXT_device_enumeration")
                && !client.contains("EGL_EXT_device_base")) {
            throw new GlUnavailableException("EGL_EXT_platform_device / EGL_EXT_device_enumeration are not offered");
        }
        List<Long> devices = devices(client);
        List<String> problems = new ArrayList<>();
        for (long device : devices) {
            display = JNI.invokePPP(EGL_PLATFORM_DEVICE_EXT, device, 0L, getPlatformDisplay);
            try {
                return initialise(display, "EGL device " + deviceName(device));
            } catch (GlUnavailableException e) {
                problems.add(e.getMessage());
            }
        }
        throw new GlUnavailableException("no usable EGL device among " + devices.size() + (problems.isEmpty() ? ""
                : ": " + String.join("; ", problems)));
    }

    /**
     * Why the display's offered dma-buf import must not be used, or null: Mesa's kms_swrast
     * (EGL_MESA_query_driver names the driver), which crashes reading another driver's buffer.
     */
    static String importDefect(String driver) {
        if ("kms_swrast".equals(driver)) {
            return "Mesa's software driver for DRM devices without a GPU (kms_swrast) offers " + DmaBufAttributes.IMPORT
                    + " but crashes reading a buffer another driver exported (the kernel does not let it map the"
                    + " imported buffer), so it is not used";
        }
        return null;
    }

    /** The display's driver by EGL_MESA_query_driver, or null where that is not offered. */
    private static String driverName(long display, Set<String> ext) {
        if (!ext.contains("EGL_MESA_query_driver")) {
            return null;
        }
        long f = EGL10.eglGetProcAddress("eglGetDisplayDriverName");
        if (f == 0) {
            return null;
        }
        long s = JNI.callPP(display, f);
        return s == 0 ? null : org.lwjgl.system.MemoryUtil.memASCII(s);
    }

    private static long platformDisplayFunction(Set<String> client) throws GlUnavailableException {
        long f = 0;
        if (client.contains("EGL_EXT_platform_base")) {
            f = EGL10.eglGetProcAddress("eglGetPlatformDisplayEXT");
        }
        if (f == 0) {
            f = EGL10.eglGetProcAddress("eglGetPlatformDisplay");
        }
        if (f == 0) {
            throw new GlUnavailableException("libEGL offers neither eglGetPlatformDisplay (EGL 1.5) nor"
                    + " eglGetPlatformDisplayEXT (EGL_EXT_platform_base)");
        }
        return f;
    }

    /** Devices from eglQueryDevicesEXT, hardware first (software ones, EGL_MESA_device_software, last). */
    private static List<Long> devices(Set<String> client) throws GlUnavailableException {
        long query = EGL10.eglGetProcAddress("eglQueryDevicesEXT");
        if (query == 0) {
            throw new GlUnavailableException("eglQueryDevicesEXT is not available");
        }
        List<Long> hardware = new ArrayList<>();
        List<Long> software = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer list = stack.mallocPointer(16);
            IntBuffer count = stack.mallocInt(1);
            if (JNI.callPPI(16, list.address(), org.lwjgl.system.MemoryUtil.memAddress(count), query) == 0) {
                throw new GlUnavailableException("eglQueryDevicesEXT failed: " + EglErrors.name(EGL10.eglGetError()));
            }
            for (int i = 0; i < count.get(0); i++) {
                long d = list.get(i);
                (deviceExtensions(d).contains("EGL_MESA_device_software") ? software : hardware).add(d);
            }
        }
        hardware.addAll(software);
        return hardware;
    }

    private static Set<String> deviceExtensions(long device) {
        long f = EGL10.eglGetProcAddress("eglQueryDeviceStringEXT");
        if (f == 0) {
            return Set.of();
        }
        long s = JNI.callPP(device, EGL_EXTENSIONS, f);
        return s == 0 ? Set.of() : split(org.lwjgl.system.MemoryUtil.memASCII(s));
    }

    private static String deviceName(long device) {
        Set<String> ext = deviceExtensions(device);
        if (ext.contains("EGL_MESA_device_software")) {
            return "(software)";
        }
        return ext.contains("EGL_EXT_device_drm") ? "(DRM)" : "(hardware)";
    }

    private static EglHeadless initialise(long display, String name) throws GlUnavailableException {
        if (display == 0) {
            throw new GlUnavailableException(name + ": eglGetPlatformDisplay returned no display ("
                    + EglErrors.name(EGL10.eglGetError()) + ")");
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        if (!EGL10.eglInitialize(display, major, minor)) {
            throw new GlUnavailableException(name + ": eglInitialize failed (" + EglErrors.name(EGL10.eglGetError())
                    + "); for Mesa's software renderer: " + Natives.MESA_PACKAGES);
        }
        boolean ok = false;
        long context = 0;
        try {
            Set<String> ext = split(EGL10.eglQueryString(display, EGL_EXTENSIONS));
            if (!ext.contains("EGL_KHR_surfaceless_context")) {
                throw new GlUnavailableException(name + ": EGL_KHR_surfaceless_context is not offered");
            }
            if (!EGL12.eglBindAPI(EGL_OPENGL_API)) {
                throw new GlUnavailableException(name + ": desktop OpenGL is not offered (eglBindAPI: "
                        + EglErrors.name(EGL10.eglGetError()) + ")");
            }
            long config = 0; // EGL_NO_CONFIG_KHR
            if (!ext.contains("EGL_KHR_no_config_context") && !ext.contains("EGL_MESA_configless_context")) {
                config = chooseConfig(display, name);
            }
            int[] attribs = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
            try (MemoryStack stack = MemoryStack.stackPush()) {
                // EGL_NO_CONFIG_KHR (0) is a legal config here, but
                // LWJGL's wrappers refuse a null config, so the function pointer is called
                context = JNI.callPPPPP(display, config, 0L, org.lwjgl.system.MemoryUtil.memAddress(stack.ints(attribs)),
                        org.lwjgl.egl.EGL.getCapabilities().eglCreateContext);
            }
            if (context == 0) {
                throw new GlUnavailableException(name + ": no OpenGL 3.3 core context (eglCreateContext: "
                        + EglErrors.name(EGL10.eglGetError()) + ")");
            }
            if (!EGL10.eglMakeCurrent(display, 0L, 0L, context)) {
                throw new GlUnavailableException(name + ": eglMakeCurrent without a surface failed ("
                        + EglErrors.name(EGL10.eglGetError()) + ")");
            }
            Natives.requireGl();
            GLCapabilities caps = GL.createCapabilities();
            if (!caps.OpenGL33) {
                throw new GlUnavailableException(name + ": OpenGL 3.3 core is not supported by "
                        + GL11.glGetString(GL11.GL_RENDERER));
            }
            boolean eglImage = glExtension("GL_OES_EGL_image");
            String driver = driverName(display, ext);
            String description = name + ", " + GL11.glGetString(GL11.GL_VENDOR) + " " + GL11.glGetString(GL11.GL_RENDERER)
                    + ", OpenGL " + GL11.glGetString(GL11.GL_VERSION) + ", EGL " + major[0] + "." + minor[0]
                    + " (" + EGL10.eglQueryString(display, EGL_VENDOR) + (driver == null ? "" : ", driver " + driver) + ")";
            EglHeadless h = new EglHeadless(display, context, name, ext, caps, description, eglImage,
                    importDefect(driver));
            ok = true;
            return h;
        } finally {
            if (!ok) {
                EGL10.eglMakeCurrent(display, 0L, 0L, 0L);
                if (context != 0) {
                    EGL10.eglDestroyContext(display, context);
                }
                // not eglTerminate: the display is shared by every user of this platform in the
                // process (see close())
            }
        }
    }

    private static boolean glExtension(String name) {
        int n = GL11.glGetInteger(org.lwjgl.opengl.GL30.GL_NUM_EXTENSIONS);
        for (int i = 0; i < n; i++) {
            if (name.equals(org.lwjgl.opengl.GL30.glGetStringi(GL11.GL_EXTENSIONS, i))) {
                return true;
            }
        }
        return false;
    }

    private static long chooseConfig(long display, String name) throws GlUnavailableException {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer attribs = stack.ints(EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_NONE);
            PointerBuffer configs = stack.mallocPointer(1);
            IntBuffer n = stack.mallocInt(1);
            if (!EGL10.eglChooseConfig(display, attribs, configs, n) || n.get(0) == 0) {
                throw new GlUnavailableException(name + ": no EGL config for desktop OpenGL ("
                        + EglErrors.name(EGL10.eglGetError()) + ")");
            }
            return configs.get(0);
        }
    }

    static Set<String> split(String extensions) {
        if (extensions == null || extensions.isBlank()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(extensions.trim().split("\\s+")));
    }

    @Override
    public void makeCurrent() {
        if (!EGL10.eglMakeCurrent(display, 0L, 0L, context)) {
            throw new IllegalStateException(platform + ": eglMakeCurrent failed: " + EglErrors.name(EGL10.eglGetError()));
        }
        GL.setCapabilities(caps);
    }

    @Override
    public void releaseCurrent() {
        EGL10.eglMakeCurrent(display, 0L, 0L, 0L);
        GL.setCapabilities(null);
    }

    @Override
    public String description() {
        return description;
    }

    /** The display's extensions. */
    Set<String> displayExtensions() {
        return displayExtensions;
    }

    @Override
    public Optional<EglImportApi> importApi() {
        return Optional.of(new LwjglEglImport(display, displayExtensions, glEglImage, importDefect));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        EGL10.eglMakeCurrent(display, 0L, 0L, 0L);
        EGL10.eglDestroyContext(display, context);
        // The display is not terminated: EGL displays are per process and per platform, and
        // another sink or the importer may be using the same one (eglTerminate would pull it
        // from under them). Mesa and NVIDIA keep one display object per native display anyway.
        GL.setCapabilities(null);
    }
}
