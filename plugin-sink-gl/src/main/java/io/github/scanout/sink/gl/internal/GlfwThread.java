package io.github.scanout.sink.gl.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.lwjgl.glfw.GLFW;
import org.lwjgl.glfw.GLFWErrorCallback;

/**
 * The one thread that drives GLFW in this class loader: GLFW must be initialised, and its windows
 * created and their events processed, on a single thread. Every window sink's window lives
 * here; each is {@linkplain Window#tick() ticked} in turn, and the thread sleeps in
 * {@code glfwWaitEventsTimeout} until an input event, a window's deadline, or a
 * {@link #wake()} from a delivery thread ({@code glfwPostEmptyEvent}, which GLFW allows from any
 * thread).
 *
 * <p>The platform is X11 unless the system property {@code scanout.gl.glfwPlatform} says
 * {@code wayland} or {@code any}: under Xvfb and XWayland, X11 is what works (and GLX there is
 * about 4.5 times faster than EGL on X11 with the software renderer).
 *
 * <p>GLFW is never terminated: the thread is a daemon and lives as long as the class loader.
 */
final class GlfwThread {

    /** A window on this thread. */
    interface Window {
        /**
         * Processes pending work and draws if needed.
         *
         * @return seconds until it wants to be ticked again at the latest
         * @throws Exception when the window is broken; it is then removed
         */
        double tick() throws Exception;

        /** Called instead of tick when the window is removed after a failure. */
        void failed(Throwable t);
    }

    private static GlfwThread shared;

    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Window> windows = new ArrayList<>();
    private final CompletableFuture<Void> initialised = new CompletableFuture<>();
    private volatile boolean glfwReady;
    private volatile String lastError = "";

    private GlfwThread() {
        thread = new Thread(this::run, "scanout-glfw");
        thread.setDaemon(true);
        thread.start();
    }

    /** The thread (started on first use). */
    static synchronized GlfwThread shared() {
        if (shared == null) {
            shared = new GlfwThread();
        }
        return shared;
    }

    /** Completes when GLFW is initialised; exceptionally (GlUnavailableException) when it cannot be. */
    CompletableFuture<Void> initialised() {
        return initialised;
    }

    /** Runs a task on the GLFW thread. */
    void execute(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Wakes the thread from its event wait. Any thread. */
    void wake() {
        if (glfwReady) {
            GLFW.glfwPostEmptyEvent();
        }
    }

    /** Adds a window (GLFW thread only). */
    void add(Window w) {
        windows.add(w);
    }

    /** Removes a window (GLFW thread only). */
    void remove(Window w) {
        windows.remove(w);
    }

    /** The last GLFW error message, for failures. */
    String lastError() {
        return lastError;
    }

    boolean onThread() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        try {
            init();
        } catch (GlUnavailableException e) {
            initialised.completeExceptionally(e);
            failPending(e);
            return;
        } catch (Throwable t) {
            initialised.completeExceptionally(new GlUnavailableException("GLFW could not start: " + t, t));
            failPending(t);
            return;
        }
        glfwReady = true;
        initialised.complete(null);
        while (true) {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                try {
                    r.run();
                } catch (Throwable t) {
                    System.getLogger(GlfwThread.class.getName()).log(System.Logger.Level.WARNING, "GLFW task failed", t);
                }
            }
            double timeout = 0.5;
            for (Window w : List.copyOf(windows)) {
                try {
                    timeout = Math.min(timeout, w.tick());
                } catch (Throwable t) {
                    windows.remove(w);
                    w.failed(t);
                }
            }
            if (!tasks.isEmpty()) {
                GLFW.glfwPollEvents();
                continue;
            }
            GLFW.glfwWaitEventsTimeout(Math.max(0.0, timeout));
        }
    }

    private void failPending(Throwable t) {
        // tasks queued before the failure would never run: they learn of it through initialised()
        tasks.clear();
    }

    private void init() throws GlUnavailableException {
        Natives.configure();
        GLFW.glfwSetErrorCallback(GLFWErrorCallback.create((code, description) ->
                lastError = GLFWErrorCallback.getDescription(description) + " (0x" + Integer.toHexString(code) + ")"));
        String platform = System.getProperty("scanout.gl.glfwPlatform", "x11").toLowerCase(Locale.ROOT);
        switch (platform) {
            case "x11" -> GLFW.glfwInitHint(GLFW.GLFW_PLATFORM, GLFW.GLFW_PLATFORM_X11);
            case "wayland" -> GLFW.glfwInitHint(GLFW.GLFW_PLATFORM, GLFW.GLFW_PLATFORM_WAYLAND);
            case "any" -> GLFW.glfwInitHint(GLFW.GLFW_PLATFORM, GLFW.GLFW_ANY_PLATFORM);
            default -> throw new GlUnavailableException("scanout.gl.glfwPlatform must be x11, wayland or any, got '"
                    + platform + "'");
        }
        if (!GLFW.glfwInit()) {
            String display = System.getenv("DISPLAY");
            throw new GlUnavailableException("GLFW could not start on " + platform + " (" + lastError + "); "
                    + (display == null || display.isEmpty() ? "DISPLAY is not set: run under an X server (or Xvfb: apt-get"
                    + " install xvfb xauth), or use mode=headless" : "DISPLAY=" + display + " could not be used"));
        }
    }
}
