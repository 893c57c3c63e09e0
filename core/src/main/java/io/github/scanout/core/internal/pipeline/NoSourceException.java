package io.github.scanout.core.internal.pipeline;

/** No plane source can read the device; the message names what each one answered. */
final class NoSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    NoSourceException(String message) {
        super(message);
    }
}
