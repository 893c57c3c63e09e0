package io.github.scanout.sink.gl.internal;

/** A dma-buf could not be imported into EGL/GL; the message says why in one line. */
final class ImportFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    ImportFailedException(String message) {
        super(message);
    }
}
