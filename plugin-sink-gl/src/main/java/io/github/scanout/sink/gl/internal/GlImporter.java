package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns dma-bufs the CPU cannot map (Intel GVT-g, the kernel's mbochs) into CPU pixels: imports
 * the fd into headless EGL, draws it 1:1 into an FBO, and reads it back in the plane's own format
 * as a linear {@link MemoryKind#SNAPSHOT} (tiled buffers come out detiled: the GPU's sampler
 * detiles). This is what lets a file sink save frames of such devices.
 *
 * <p>It needs EGL_EXT_image_dma_buf_import, which GPU drivers offer and Mesa's software renderer
 * does not: on llvmpipe {@link #canImport} says no (and the reason is logged once), so the
 * pipeline tells CPU sinks why they get nothing.
 *
 * <p>Threads: {@link #canImport} and {@link #importToCpu} may be called from any thread,
 * concurrently; imports run one at a time on the importer's own GL thread
 * ({@code scanout-gl-importer}), which also starts GL (off the caller's thread). Imported
 * textures are cached per buffer identity, as in the sink ({@link ImportCache}).
 */
public final class GlImporter implements BufferImporter, AutoCloseable {
    static final long IMPORT_TIMEOUT_MS = 10_000;

    private final ConditionLog log;
    private final boolean enabled;
    private final ExecutorService gl;
    private final CompletableFuture<DmaBufImporter> ready = new CompletableFuture<>();
    private GlContext context;
    private QuadProgram program;
    private Fbo fbo;
    private ImportCache cache;
    /** Set by close(): a start still under way stops after making its context. */
    private volatile boolean closing;

    /** An importer on headless EGL on the given platform. */
    public static GlImporter create(EglPlatform platform, boolean enabled) {
        return new GlImporter(() -> EglHeadless.create(platform), enabled);
    }

    GlImporter(HeadlessDriver.ContextFactory contexts, boolean enabled) {
        this.log = ConditionLog.once(Reporter.system("io.github.scanout.sink.gl").prefixed("gl importer: "));
        this.enabled = enabled;
        this.gl = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scanout-gl-importer");
            t.setDaemon(true);
            return t;
        });
        if (enabled) {
            gl.execute(() -> start(contexts));
        } else {
            ready.completeExceptionally(new GlUnavailableException("the GL importer is disabled by configuration"));
        }
    }

    private void start(HeadlessDriver.ContextFactory contexts) {
        long t0 = System.nanoTime();
        try {
            context = contexts.create();
            if (closing) {
                // closed while EGL started: the bundle may be gone already, so load nothing more
                // and say nothing; the release queued by close() frees the context
                ready.completeExceptionally(new GlUnavailableException("the GL importer was closed while starting"));
                return;
            }
            context.makeCurrent();
            DmaBufImporter importer = new DmaBufImporter(context.importApi());
            program = new QuadProgram();
            fbo = new Fbo();
            cache = new ImportCache(importer, 4);
            log.always(System.Logger.Level.INFO, "headless GL ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
                    + context.description() + importer.unavailable().map(r -> "; cannot import dma-bufs: " + r)
                    .orElse("; imports dma-bufs"));
            ready.complete(importer);
        } catch (Throwable t) {
            if (!closing) {
                log.always(System.Logger.Level.WARNING, "no headless GL, dma-bufs cannot be imported: " + t.getMessage());
            }
            ready.completeExceptionally(t);
        }
    }

    /** Completes with whether imports can work (GL up and the dma-buf import extension there). */
    public CompletableFuture<Boolean> ready() {
        return ready.handle((importer, failure) -> failure == null && importer.unavailable().isEmpty());
    }

    @Override
    public String name() {
        return "gl-headless";
    }

    @Override
    public boolean canImport(PlaneBuffer buffer) {
        if (!enabled || buffer.cpuReadable() || buffer.dmaBuf().isEmpty()) {
            return false;
        }
        PlaneInfo info = buffer.info();
        if (ReadbackFormat.of(info.format()) == null) {
            return false;
        }
        if (!ready.isDone()) {
            return true; // starting: importToCpu waits for it
        }
        if (ready.isCompletedExceptionally()) {
            return false;
        }
        DmaBufImporter importer = ready.join();
        var problem = importer.check(info);
        problem.ifPresent(p -> log.report(System.Logger.Level.INFO, "cannot:" + p, "cannot import " + info.format() + " "
                + info.modifier() + ": " + p));
        return problem.isEmpty();
    }

    @Override
    public PlaneBuffer importToCpu(PlaneBuffer buffer) throws Exception {
        PlaneBuffer mine = buffer.retain();
        Future<PlaneBuffer> f;
        try {
            f = gl.submit(() -> {
                try (mine) {
                    return importOnGl(mine);
                }
            });
        } catch (RuntimeException e) {
            mine.close();
            throw new IllegalStateException("the GL importer is closed", e);
        }
        try {
            return f.get(IMPORT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof Exception ex ? ex : new IllegalStateException(String.valueOf(c), c);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new TimeoutException("importing " + buffer.info() + " took more than " + IMPORT_TIMEOUT_MS + " ms");
        }
    }

    private PlaneBuffer importOnGl(PlaneBuffer buffer) throws Exception {
        DmaBufImporter importer;
        try {
            importer = ready.join();
        } catch (Exception e) {
            throw new ImportFailedException("no headless GL: " + e.getCause().getMessage());
        }
        PlaneInfo in = buffer.info();
        ReadbackFormat rf = ReadbackFormat.of(in.format());
        if (rf == null) {
            throw new ImportFailedException("format " + in.format() + " has no GL readback");
        }
        if (importer.unavailable().isPresent()) {
            throw new ImportFailedException(importer.unavailable().get());
        }
        context.makeCurrent();
        DmaBufImporter.Imported t = cache.get(buffer);
        int w = in.width();
        int h = in.height();
        fbo.bind(w, h, rf.framebuffer());
        program.draw(t.texture(), UploadPlan.NORMALIZED, new Rect(0, 0, w, h), w, h, false, false, false, false);
        int stride = Math.multiplyExact(w, rf.bytesPerPixel());
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(stride, h)).order(ByteOrder.LITTLE_ENDIAN);
        fbo.read(rf.format(), rf.type(), rf.bytesPerPixel(), out, stride);
        Fbo.unbind();
        PlaneInfo linear = new PlaneInfo(in.type(), in.bufferType(), in.format(), Modifier.LINEAR, w, h, stride,
                (long) stride * h, in.x(), in.y(), in.hotspot(), in.bufferId());
        return PlaneBuffer.snapshot(linear, out, null);
    }

    /** Cached imports (tests). */
    int cachedImports() throws Exception {
        return gl.submit(() -> cache == null ? 0 : cache.size()).get();
    }

    /** Releases the GL objects, the cached imports and their leases, and stops the thread. Idempotent. */
    @Override
    public void close() {
        if (gl.isShutdown()) {
            return;
        }
        closing = true;
        if (!ready.isDone()) {
            // GL is still starting (EGL and llvmpipe can take tens of seconds under emulation):
            // nothing to wait for; the release runs on the GL thread after the start, which then
            // ends (a daemon thread)
            gl.execute(this::release);
            gl.shutdown();
            return;
        }
        try {
            gl.submit(this::release).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.always(System.Logger.Level.WARNING, "closing the GL importer failed: " + e);
        } finally {
            gl.shutdownNow();
        }
    }

    /** On the GL thread: frees what the start made. */
    private void release() {
        if (context != null) {
            context.makeCurrent();
            if (cache != null) {
                cache.close();
                fbo.close();
                program.close();
            }
            context.close();
            context = null;
        }
    }
}
