package io.github.scanout.sink.gl.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Runs one sink's GL side: a headless thread of its own ({@link HeadlessDriver}) or a window
 * on the shared GLFW thread ({@link WindowDriver}). It takes work from the sink's
 * {@link Mailbox}, draws it, and releases every lease it was handed.
 *
 * <p>Threads: {@link #ready()}, {@link #snapshot()} and {@link #close()} may be called from any thread.
 */
interface Driver extends AutoCloseable {

    /**
     * Completes when GL is up, with whether zero-copy dma-buf import works there; completes
     * exceptionally (with {@link GlUnavailableException}) when GL cannot start.
     */
    CompletableFuture<Boolean> ready();

    /** What is on screen (or in the FBO) after everything offered so far has been drawn. */
    CompletableFuture<Snapshot> snapshot();

    /** Frames whose picture was put on screen (uploaded or imported) so far; any thread. */
    long framesShown();

    /** Why the last frame could not be shown, empty when it was; any thread. */
    String problem();

    /** Frames drawn so far. */
    long draws();

    /** Stops the GL side, releasing the context and every lease; waits a bounded time. Idempotent. */
    @Override
    void close();
}
