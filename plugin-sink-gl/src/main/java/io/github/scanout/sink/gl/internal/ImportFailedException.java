package io.github.scanout.sink.gl.internal;

/** A dma-buf could not be imported into EGL/GL; the message says why in one line. */
final class ImportFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean remembered;

    ImportFailedException(String message) {
        this(message, false);
    }

    /** @param remembered the buffer failed before and was not tried again (not a new failure) */
    ImportFailedException(String message, boolean remembered) {
        super(message);
        this.remembered = remembered;
    }

    /** Whether this is an earlier failure of the same buffer, remembered rather than retried. */
    boolean remembered() {
        return remembered;
    }
}
