package io.github.scanout.sink.gl.internal;

import java.util.Optional;

/**
 * An OpenGL 3.3 core context: headless EGL ({@link EglHeadless}) or a window ({@link GlfwWindow}).
 *
 * <p>Threads: a context is current on at most one thread; whoever owns it (one GL thread) calls
 * {@link #makeCurrent()} before GL work and {@link #close()} at the end, on that thread.
 */
interface GlContext extends AutoCloseable {

    /** Makes the context current on the calling thread and installs its GL capabilities there. */
    void makeCurrent();

    /** Releases the context from the calling thread. */
    void releaseCurrent();

    /** For logs: platform, vendor, renderer and version, for example "EGL surfaceless, llvmpipe, 4.5". */
    String description();

    /**
     * The EGL calls for zero-copy dma-buf import, when this context is an EGL context (a GLX
     * window has none).
     */
    Optional<EglImportApi> importApi();

    /** Destroys the context. Idempotent. */
    @Override
    void close();
}
