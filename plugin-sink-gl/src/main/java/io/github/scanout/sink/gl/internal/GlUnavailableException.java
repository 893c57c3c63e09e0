package io.github.scanout.sink.gl.internal;

/**
 * OpenGL or EGL cannot be used on this machine; the message names the missing piece (a shared
 * library, an extension, a display) and, where there is one, the package that provides it.
 */
public final class GlUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public GlUnavailableException(String message) {
        super(message);
    }

    public GlUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
