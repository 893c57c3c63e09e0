package io.github.scanout.sink.gl.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lwjgl.egl.EGL;
import org.lwjgl.egl.EGL10;
import org.lwjgl.opengl.GL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.FunctionProvider;
import org.lwjgl.system.Library;
import org.lwjgl.system.SharedLibrary;

/**
 * Loads LWJGL's natives, libEGL and the GL entry points once per class loader, so that a
 * missing library is a clear {@link GlUnavailableException} rather than a class that failed to
 * initialise.
 *
 * <p>GL functions are looked up through {@code eglGetProcAddress} when libEGL is loaded (EGL 1.5
 * answers core functions too, and with libglvnd the answer dispatches to whatever context is
 * current, EGL or GLX), then in {@code libGL.so.1} / {@code libOpenGL.so.0}. That is why
 * {@link Configuration#OPENGL_EXPLICIT_INIT} is set before anything touches {@link GL}.
 *
 * <p>Threads: every method may be called from any thread; loading happens once, under a lock.
 */
final class Natives {
    private Natives() {}

    static final String MESA_PACKAGES = "apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri";

    private static final System.Logger LOG = System.getLogger(Natives.class.getName());
    private static final Object LOCK = new Object();
    private static boolean configured;
    private static Boolean eglLoaded;
    private static String eglProblem;
    private static boolean glCreated;
    private static SharedLibrary libGl;
    private static boolean libGlTried;

    /** Sets LWJGL's configuration before any LWJGL class initialises. Idempotent. */
    static void configure() {
        synchronized (LOCK) {
            if (configured) {
                return;
            }
            Configuration.OPENGL_EXPLICIT_INIT.set(true);
            Configuration.EGL_EXPLICIT_INIT.set(true);
            if (Configuration.SHARED_LIBRARY_EXTRACT_PATH.get() == null) {
                // LWJGL's default is /tmp/lwjgl_<user>/<version>/<arch>; keep it unless it is not
                // writable, then fall back to a directory of our own under java.io.tmpdir.
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                if (!Files.isWritable(tmp)) {
                    LOG.log(System.Logger.Level.WARNING, "java.io.tmpdir " + tmp + " is not writable: LWJGL cannot"
                            + " extract its natives; set org.lwjgl.system.SharedLibraryExtractPath to a writable directory");
                }
            }
            configured = true;
        }
    }

    /**
     * Loads libEGL (once).
     *
     * @throws GlUnavailableException naming libEGL.so.1 and the packages that provide it
     */
    static void requireEgl() throws GlUnavailableException {
        synchronized (LOCK) {
            configure();
            if (eglLoaded == null) {
                try {
                    EGL.create();
                    eglLoaded = true;
                } catch (Throwable t) { // UnsatisfiedLinkError, IllegalStateException from LWJGL
                    eglLoaded = false;
                    eglProblem = "libEGL.so.1 not found or not loadable (" + t.getMessage() + "): " + MESA_PACKAGES;
                }
            }
            if (!eglLoaded) {
                throw new GlUnavailableException(eglProblem);
            }
        }
    }

    /** Whether libEGL is loaded (without trying to load it). */
    static boolean eglLoaded() {
        synchronized (LOCK) {
            return Boolean.TRUE.equals(eglLoaded);
        }
    }

    /**
     * Points LWJGL's GL at {@link #glFunctions()} (once). Call with a context current, before
     * {@code GL.createCapabilities()}.
     */
    static void requireGl() {
        synchronized (LOCK) {
            configure();
            if (!glCreated) {
                GL.create(glFunctions());
                glCreated = true;
            }
        }
    }

    /** eglGetProcAddress first (when libEGL is loaded), then libGL / libOpenGL symbols. */
    static FunctionProvider glFunctions() {
        return new FunctionProvider() {
            @Override
            public long getFunctionAddress(ByteBuffer functionName) {
                long address = 0;
                if (eglLoaded()) {
                    address = EGL10.eglGetProcAddress(functionName);
                }
                if (address == 0) {
                    SharedLibrary lib = libGl();
                    if (lib != null) {
                        address = lib.getFunctionAddress(functionName);
                    }
                }
                return address;
            }
        };
    }

    private static SharedLibrary libGl() {
        synchronized (LOCK) {
            if (!libGlTried) {
                libGlTried = true;
                for (String name : new String[] {"libGL.so.1", "libOpenGL.so.0"}) {
                    try {
                        libGl = Library.loadNative(Natives.class, "org.lwjgl.opengl", name);
                        break;
                    } catch (Throwable t) {
                        LOG.log(System.Logger.Level.DEBUG, name + " not loadable: " + t.getMessage());
                    }
                }
            }
            return libGl;
        }
    }
}
