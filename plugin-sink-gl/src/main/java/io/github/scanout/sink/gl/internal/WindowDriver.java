package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.support.ConditionLog;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lwjgl.glfw.GLFW;
import org.lwjgl.opengl.GL11;
import org.lwjgl.system.MemoryStack;

/**
 * The window GL side of one sink, on the shared {@link GlfwThread}: creates the window (title
 * with device, size and frames per second; resizable), applies the latest work from the sink's
 * mailbox, draws with the configured scaling (letterboxed by default), swaps (with vsync when
 * configured), and redraws on resize or expose without new frames. Window size changes go to the
 * {@link EdidResizer} when there is one.
 *
 * <p>The window opens at the configured size, or at 1024x768 until the first frame arrives and
 * then once at the frame's size. A window the user closes is gone: frames are dropped (their
 * leases released at once) from then on, said once.
 *
 * <p>Threads: everything but the constructor, {@link #ready()}, {@link #snapshot()} and
 * {@link #close()} runs on the GLFW thread.
 */
final class WindowDriver implements Driver, GlfwThread.Window {
    private final GlSinkOptions options;
    private final ConditionLog log;
    private final EdidResizer edid;
    private final GlfwThread glfw;
    private final Mailbox mailbox;
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final long minGapNanos;

    private GlfwWindow window;
    private volatile SinkRenderer renderer;
    private boolean dirty = true;
    private boolean sizedToFrame;
    private volatile long draws;
    private long lastDraw;
    private long fpsWindowStart = System.nanoTime();
    private int fpsCount;
    private double fps;
    private String lastTitle = "";
    private volatile int[] geometry = new int[4];
    private volatile boolean closing;

    WindowDriver(GlSinkOptions options, ConditionLog log, EdidResizer edid) {
        this.options = options;
        this.log = log;
        this.edid = edid;
        this.glfw = GlfwThread.shared();
        this.mailbox = new Mailbox(glfw::wake);
        this.minGapNanos = options.maxFps() > 0 ? (long) (1e9 / options.maxFps()) : 0;
        glfw.initialised().whenComplete((ok, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
                log.always(System.Logger.Level.ERROR, "no window, frames are dropped: " + cause.getMessage());
                ready.completeExceptionally(cause);
                mailbox.close();
                stopped.complete(null);
            } else {
                glfw.execute(this::open);
            }
        });
    }

    Mailbox mailbox() {
        return mailbox;
    }

    private void open() {
        if (closing) {
            stopped.complete(null);
            ready.completeExceptionally(new GlUnavailableException("closed before the window opened"));
            return;
        }
        long start = System.nanoTime();
        try {
            int w = options.width() > 0 ? options.width() : 1024;
            int h = options.height() > 0 ? options.height() : 768;
            sizedToFrame = options.width() > 0;
            window = GlfwWindow.create(options, w, h, title(), glfw.lastError());
            renderer = new SinkRenderer(window, new SinkRenderer.Options(options.device(), options.scale(),
                    options.cursorOrigin(), options.zeroCopy()), log);
            GLFW.glfwSetFramebufferSizeCallback(window.handle(), (win, fw, fh) -> {
                dirty = true;
                if (edid != null) {
                    edid.request(fw, fh);
                }
            });
            GLFW.glfwSetWindowRefreshCallback(window.handle(), win -> dirty = true);
            glfw.add(this);
            log.always(System.Logger.Level.INFO, "window ready in " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                    + window.description());
            ready.complete(renderer.zeroCopy());
        } catch (Throwable t) {
            GlUnavailableException e = t instanceof GlUnavailableException g ? g
                    : new GlUnavailableException("window start-up failed: " + t, t);
            log.always(System.Logger.Level.ERROR, "no window, frames are dropped: " + e.getMessage());
            if (renderer != null) {
                renderer.close();
            }
            if (window != null) {
                window.close();
            }
            ready.completeExceptionally(e);
            mailbox.close();
            stopped.complete(null);
        }
    }

    private String title() {
        StringBuilder b = new StringBuilder(options.titleOrDefault()).append(" - ").append(options.device());
        if (renderer != null && renderer.placeholder().isEmpty()) {
            b.append(" - ").append(renderer.contentWidth()).append('x').append(renderer.contentHeight());
        }
        b.append(" - ").append(String.format(Locale.ROOT, "%.0f fps", fps));
        return b.toString();
    }

    @Override
    public double tick() {
        long now = System.nanoTime();
        if (GLFW.glfwWindowShouldClose(window.handle())) {
            log.always(System.Logger.Level.WARNING, "the window was closed: frames are dropped until the sink is"
                    + " configured again");
            shutdown();
            return 0.5;
        }
        double next = 0.5;
        Mailbox.Work work = null;
        if (minGapNanos == 0 || now - lastDraw >= minGapNanos) {
            work = mailbox.poll();
        } else if (mailbox.hasWork()) {
            next = (lastDraw + minGapNanos - now) / 1e9;
        }
        if (work != null) {
            window.makeCurrent();
            if (renderer.apply(work)) {
                dirty = true;
                sizeToFirstFrame();
            }
        }
        boolean tasks = work != null && !work.tasks().isEmpty();
        if (dirty || tasks) {
            window.makeCurrent();
            int[] fb = framebufferSize();
            renderer.draw(fb[0], fb[1]);
            if (work != null) {
                GL11.glReadBuffer(GL11.GL_BACK);
                work.runTasks();
            }
            GLFW.glfwSwapBuffers(window.handle());
            dirty = false;
            draws++;
            fpsCount++;
            lastDraw = System.nanoTime();
        }
        if (work != null && work.stop()) {
            shutdown();
            return 0.5;
        }
        updateTitle();
        updateGeometry();
        return next;
    }

    private void sizeToFirstFrame() {
        if (!sizedToFrame && renderer.placeholder().isEmpty()) {
            sizedToFrame = true;
            GLFW.glfwSetWindowSize(window.handle(), renderer.contentWidth(), renderer.contentHeight());
        }
    }

    private int[] framebufferSize() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var w = stack.mallocInt(1);
            var h = stack.mallocInt(1);
            GLFW.glfwGetFramebufferSize(window.handle(), w, h);
            return new int[] {Math.max(1, w.get(0)), Math.max(1, h.get(0))};
        }
    }

    private void updateGeometry() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var x = stack.mallocInt(1);
            var y = stack.mallocInt(1);
            GLFW.glfwGetWindowPos(window.handle(), x, y);
            int[] fb = framebufferSize();
            geometry = new int[] {x.get(0), y.get(0), fb[0], fb[1]};
        }
    }

    private void updateTitle() {
        long now = System.nanoTime();
        long elapsed = now - fpsWindowStart;
        if (elapsed >= TimeUnit.SECONDS.toNanos(1)) {
            fps = fpsCount * 1e9 / elapsed;
            fpsCount = 0;
            fpsWindowStart = now;
        }
        String t = title();
        if (!t.equals(lastTitle)) {
            GLFW.glfwSetWindowTitle(window.handle(), t);
            lastTitle = t;
        }
    }

    /** Asks for a new window size (the window manager may refuse); any thread. */
    void requestSize(int w, int h) {
        glfw.execute(() -> {
            if (window != null && !closing) {
                sizedToFrame = true;
                GLFW.glfwSetWindowSize(window.handle(), w, h);
                dirty = true;
            }
        });
    }

    /** Window position and drawable size on the screen: {x, y, width, height} (tests). */
    int[] geometry() {
        return geometry.clone();
    }

    /** The window title (tests). */
    String currentTitle() {
        return lastTitle;
    }

    private void shutdown() {
        glfw.remove(this);
        mailbox.close();
        try {
            if (renderer != null) {
                window.makeCurrent();
                renderer.close();
            }
        } finally {
            window.close();
            stopped.complete(null);
        }
    }

    @Override
    public void failed(Throwable t) {
        log.always(System.Logger.Level.ERROR, "window failed, frames are dropped from now on: " + t);
        try {
            shutdown();
        } catch (Throwable ignored) {
            stopped.complete(null);
        }
    }

    @Override
    public CompletableFuture<Boolean> ready() {
        return ready;
    }

    @Override
    public CompletableFuture<Snapshot> snapshot() {
        return mailbox.call(() -> {
            int[] fb = framebufferSize();
            return new Snapshot(fb[0], fb[1], Fbo.readArgb(fb[0], fb[1]));
        });
    }

    @Override
    public long framesShown() {
        SinkRenderer r = renderer;
        return r == null ? 0 : r.framesShown();
    }

    @Override
    public String problem() {
        SinkRenderer r = renderer;
        return r == null ? "" : r.problem();
    }

    @Override
    public long draws() {
        return draws;
    }

    @Override
    public void close() {
        closing = true;
        mailbox.offerStop();
        if (ready.isDone()) {
            try {
                stopped.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.always(System.Logger.Level.WARNING, "the window did not close within 5 s");
            }
        }
        mailbox.close();
    }
}
