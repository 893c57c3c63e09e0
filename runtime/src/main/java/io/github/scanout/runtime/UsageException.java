package io.github.scanout.runtime;

/**
 * The command line cannot be honoured; the message is the one line printed after
 * {@code scanout: }, naming the argument, its value and what is accepted.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
