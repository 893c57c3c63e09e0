package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.sink.SinkOutput;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Shows a device with OpenGL: in a window (GLFW) or headless (EGL, into an FBO). Usable without
 * OSGi: construct, attach to a pipeline, {@link #close()}. {@link GlSinkComponent} is the thin
 * Declarative Services adapter.
 *
 * <p>Threading: one GL thread per sink owns the GL context (for windows, the process-wide GLFW
 * thread, because GLFW must be driven from one thread). The {@link FrameSink} methods run on the
 * sink's delivery thread and never touch GL: they hand the frame to the GL thread through a
 * latest-wins {@link Mailbox}, taking their own lease on the buffer (the pipeline's lease is
 * the pipeline's), so delivery never waits for drawing. A frame that is replaced before it was
 * drawn has its lease closed at once; the GL thread closes each lease right after uploading
 * (or keeps one per imported texture, see {@link ImportCache}).
 *
 * <p>Start-up is asynchronous: the constructor returns at once and GL comes up on the GL thread
 * (about half a second). Frames that arrive before are not lost: the latest one waits in the
 * mailbox. If GL cannot start at all, that is said once and frames are dropped (their leases
 * never taken), counted in {@link #dropped()}.
 *
 * <p>Written ({@link CountsOutput}): a frame counts when its picture was put on screen (uploaded
 * or imported, then drawn), whether or not anybody looks at the window; frames replaced in the
 * mailbox before the GL thread took them, and frames that could not be shown (the placeholder
 * says why), are received but not written. No bytes are written.
 */
public final class GlSink implements FrameSink, CountsOutput, AutoCloseable {
    private final GlSinkOptions options;
    private final ConditionLog log;
    private final Mailbox mailbox;
    private final Driver driver;
    private final EdidResizer edid;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /** A sink with the given options and no EDID access. */
    public static GlSink create(GlSinkOptions options) {
        return new GlSink(options, Optional::empty);
    }

    /**
     * @param options what to show and how
     * @param edid the device's EDID region when there is one (asked each time a resize is sent)
     */
    public GlSink(GlSinkOptions options, Supplier<Optional<EdidRegion>> edid) {
        this(options, edid, null);
    }

    /** With a headless context factory (tests: a fake EGL import layer over real GL). */
    GlSink(GlSinkOptions options, Supplier<Optional<EdidRegion>> edid, HeadlessDriver.ContextFactory contexts) {
        this.options = Objects.requireNonNull(options, "options");
        this.log = ConditionLog.once(Reporter.system("io.github.scanout.sink.gl").prefixed("gl sink " + options.device() + ": "));
        this.edid = options.edidResize() ? new EdidResizer(options.device(), edid, EdidResizer.Timer.daemon(
                "scanout-gl-edid-" + options.device()), log) : null;
        if (options.mode() == GlSinkOptions.Mode.HEADLESS) {
            this.mailbox = new Mailbox(() -> { });
            HeadlessDriver.ContextFactory f = contexts != null ? contexts
                    : () -> EglHeadless.create(options.eglPlatform());
            this.driver = new HeadlessDriver(options, mailbox, f, log);
        } else {
            WindowDriver w = new WindowDriver(options, log, edid == null ? null : this.edid);
            this.mailbox = w.mailbox();
            this.driver = w;
        }
    }

    /**
     * Waits (at most the configured start-up wait) for GL, then declares: CPU pixels are needed
     * unless this context imports dma-bufs itself (zero copy); any format; the configured rate.
     */
    @Override
    public SinkNeeds needs() {
        boolean zeroCopy = false;
        try {
            zeroCopy = driver.ready().get(options.startupWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // GL failed or is slow: ask for CPU pixels, which the upload path shows
        }
        // a window someone watches: low latency (no idle back-off while it is attached)
        return new SinkNeeds(!zeroCopy, false, Set.of(), options.maxFps(), true);
    }

    @Override
    public void frame(Frame frame) {
        if (unavailable()) {
            dropped.incrementAndGet();
            return;
        }
        mailbox.offerFrame(frame.primary(), frame.cursor());
    }

    @Override
    public void cursor(CursorState cursor) {
        if (!unavailable()) {
            mailbox.offerCursor(cursor);
        }
    }

    @Override
    public void noSignal(String reason) {
        if (!unavailable()) {
            mailbox.offerNoSignal(reason);
        }
    }

    @Override
    public void detached() {
        if (!unavailable()) {
            mailbox.offerDetached();
        }
        if (edid != null) {
            edid.cancel();
        }
    }

    private boolean unavailable() {
        return closed || driver.ready().isCompletedExceptionally();
    }

    /** Completes when GL is up (true: zero copy works), exceptionally when it cannot start. */
    public CompletableFuture<Boolean> ready() {
        return driver.ready();
    }

    /** Completes once everything delivered so far has been drawn. */
    public CompletableFuture<Void> drawn() {
        return mailbox.fence();
    }

    /**
     * Completes once everything delivered so far has been drawn and the GPU has finished it
     * ({@code glFinish}): for benchmarks and tests.
     */
    public CompletableFuture<Void> finished() {
        return mailbox.call(() -> {
            org.lwjgl.opengl.GL11.glFinish();
            return null;
        });
    }

    /** What is shown right now (after everything delivered so far), read back. */
    CompletableFuture<Snapshot> snapshot() {
        return driver.snapshot();
    }

    Driver driver() {
        return driver;
    }

    EdidResizer edidResizer() {
        return edid;
    }

    @Override
    public SinkOutput output() {
        String error = driver.problem();
        CompletableFuture<Boolean> r = driver.ready();
        if (r.isCompletedExceptionally()) {
            try {
                r.getNow(false);
            } catch (CompletionException | CancellationException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                error = "GL is unavailable: " + c.getMessage();
            }
        }
        return new SinkOutput(driver.framesShown(), 0, error == null ? "" : error);
    }

    /** Frames dropped because GL is unavailable. */
    public long dropped() {
        return dropped.get();
    }

    /** Frames replaced by a newer one before they were drawn (latest wins). */
    public long replaced() {
        return mailbox.framesReplaced();
    }

    /** Frames drawn. */
    public long draws() {
        return driver.draws();
    }

    /** Stops drawing, closes the window or context and releases every lease. Idempotent. */
    @Override
    public void close() {
        closed = true;
        driver.close();
        if (edid != null) {
            edid.close();
        }
    }
}
