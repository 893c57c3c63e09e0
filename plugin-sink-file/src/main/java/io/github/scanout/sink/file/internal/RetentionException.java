package io.github.scanout.sink.file.internal;

import java.io.IOException;

/** The snapshot was written, but an old one could not be deleted. Not a reason to back off. */
final class RetentionException extends IOException {
    private static final long serialVersionUID = 1L;

    RetentionException(String message, IOException cause) {
        super(message, cause);
    }
}
