package io.github.scanout.sink.vnc.internal;

/** A client broke the RFB protocol or a limit; the message says how, for one log line. The connection is closed. */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
