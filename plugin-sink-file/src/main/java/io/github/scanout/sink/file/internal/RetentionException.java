package io.github.scanout.sink.file.internal;

import java.io.IOException;

/** The snapshot was written, but an old one could not be deleted. Not a reason to back off. */
final class RetentionException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The bytes of the snapshot that was written (set by the writer that knows them). */
    private long bytes;

    RetentionException(String message, IOException cause) {
        super(message, cause);
    }

    /** This, saying how many bytes the snapshot that was written has. */
    RetentionException withBytes(long written) {
        this.bytes = written;
        return this;
    }

    long bytes() {
        return bytes;
    }
}
