package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.support.ConditionLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lwjgl.opengl.GL11;

/**
 * The headless GL side of one sink: a thread of its own that creates an EGL context (off the
 * caller's thread: start-up takes about half a second), then loops: take the latest work from
 * the mailbox, apply it, draw into an FBO. The FBO is the configured size, or the content's
 * size (frame or placeholder) when none is configured, so a 1:1 readback is exact.
 *
 * <p>Threads: one thread, {@code scanout-gl-<device>}, owns the context and all GL objects.
 */
final class HeadlessDriver implements Driver {

    /** Creates the context on the GL thread. */
    interface ContextFactory {
        GlContext create() throws GlUnavailableException;
    }

    private final GlSinkOptions options;
    private final Mailbox mailbox;
    private final ContextFactory factory;
    private final ConditionLog log;
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private final Thread thread;
    private volatile long draws;
    private Fbo fbo;
    private volatile SinkRenderer renderer;

    HeadlessDriver(GlSinkOptions options, Mailbox mailbox, ContextFactory factory, ConditionLog log) {
        this.options = options;
        this.mailbox = mailbox;
        this.factory = factory;
        this.log = log;
        this.thread = new Thread(this::run, "scanout-gl-" + options.device());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        GlContext context;
        long start = System.nanoTime();
        try {
            context = factory.create();
        } catch (Throwable t) {
            GlUnavailableException e = t instanceof GlUnavailableException g ? g
                    : new GlUnavailableException("GL start-up failed: " + t, t);
            log.always(System.Logger.Level.ERROR, "headless GL unavailable, frames are dropped: " + e.getMessage());
            ready.completeExceptionally(e);
            mailbox.close();
            return;
        }
        try {
            renderer = new SinkRenderer(context, new SinkRenderer.Options(options.device(), options.scale(),
                    options.cursorOrigin(), options.zeroCopy()), log);
            fbo = new Fbo();
            log.always(System.Logger.Level.INFO, "headless GL ready in " + (System.nanoTime() - start) / 1_000_000
                    + " ms: " + context.description());
            ready.complete(renderer.zeroCopy());
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            log.always(System.Logger.Level.ERROR, "headless GL thread failed, frames are dropped from now on: " + t);
        } finally {
            mailbox.close();
            try {
                if (renderer != null) {
                    renderer.close();
                }
                if (fbo != null) {
                    fbo.close();
                }
            } finally {
                context.close();
            }
        }
    }

    private void loop() throws InterruptedException {
        long minGapNanos = options.maxFps() > 0 ? (long) (1e9 / options.maxFps()) : 0;
        long lastDraw = 0;
        while (true) {
            if (minGapNanos > 0 && lastDraw != 0) {
                long wait = lastDraw + minGapNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            Mailbox.Work work = mailbox.take(0);
            boolean draw = renderer.apply(work) || draws == 0;
            if (draw) {
                render();
                lastDraw = System.nanoTime();
            }
            work.runTasks();
            if (work.stop()) {
                return;
            }
        }
    }

    private void render() {
        int w = options.width() > 0 ? options.width() : renderer.contentWidth();
        int h = options.height() > 0 ? options.height() : renderer.contentHeight();
        fbo.bind(w, h, GL11.GL_RGBA8);
        renderer.draw(w, h);
        draws++;
    }

    @Override
    public CompletableFuture<Boolean> ready() {
        return ready;
    }

    @Override
    public CompletableFuture<Snapshot> snapshot() {
        return mailbox.call(() -> {
            if (draws == 0) {
                render();
            }
            return new Snapshot(fbo.width(), fbo.height(), fbo.readArgb());
        });
    }

    /** The renderer's counters, read on the GL thread. */
    CompletableFuture<SinkRenderer.Stats> stats() {
        return mailbox.call(() -> renderer.stats());
    }

    /** Runs something with the renderer on the GL thread (tests). */
    <T> CompletableFuture<T> withRenderer(java.util.function.Function<SinkRenderer, T> f) {
        return mailbox.call(() -> f.apply(renderer));
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
        mailbox.offerStop();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.always(System.Logger.Level.WARNING, "the GL thread did not stop within 5 s; leaving it (daemon)");
        }
        mailbox.close();
    }
}
