package io.github.scanout.core.internal.pipeline;

/**
 * No plane source can read the device; the message names what each one answered. {@link #retry()}
 * says that a probe or open failed with a transient errno (EAGAIN, ENOMEM, EINTR, EBUSY), so asking
 * again later may succeed.
 */
final class NoSourceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retry;

    NoSourceException(String message) {
        this(message, false);
    }

    NoSourceException(String message, boolean retry) {
        super(message);
        this.retry = retry;
    }

    boolean retry() {
        return retry;
    }
}
