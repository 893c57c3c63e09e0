package io.github.scanout.source.qemudbus.internal;

/**
 * One of QEMU's Listener messages broke a rule ({@link ConsoleSurface}): one line naming the
 * message, the field, its value and the rule, for example
 * {@code QEMU Scanout refused: stride 100 is below width x bytes per pixel (2560 for 640 x XR24)}.
 * The message is dropped; the connection and the surface stay as they were.
 */
final class QemuMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    QemuMessageException(String message, String field, String value, String rule) {
        super("QEMU " + message + " refused: " + field + " " + value + " " + rule);
        this.field = field;
    }

    /** The field the rule is about, for tests and the condition log's key. */
    String field() {
        return field;
    }
}
