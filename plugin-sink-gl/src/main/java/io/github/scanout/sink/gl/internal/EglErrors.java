package io.github.scanout.sink.gl.internal;

/** Names of EGL error codes, for messages. Stateless. */
final class EglErrors {
    private EglErrors() {}

    static String name(int code) {
        String n = switch (code) {
            case 0x3000 -> "EGL_SUCCESS";
            case 0x3001 -> "EGL_NOT_INITIALIZED";
            case 0x3002 -> "EGL_BAD_ACCESS";
            case 0x3003 -> "EGL_BAD_ALLOC";
            case 0x3004 -> "EGL_BAD_ATTRIBUTE";
            case 0x3005 -> "EGL_BAD_CONFIG";
            case 0x3006 -> "EGL_BAD_CONTEXT";
            case 0x3007 -> "EGL_BAD_CURRENT_SURFACE";
            case 0x3008 -> "EGL_BAD_DISPLAY";
            case 0x3009 -> "EGL_BAD_MATCH";
            case 0x300A -> "EGL_BAD_NATIVE_PIXMAP";
            case 0x300B -> "EGL_BAD_NATIVE_WINDOW";
            case 0x300C -> "EGL_BAD_PARAMETER";
            case 0x300D -> "EGL_BAD_SURFACE";
            case 0x300E -> "EGL_CONTEXT_LOST";
            case 0x322B -> "EGL_BAD_DEVICE_EXT";
            default -> null;
        };
        return n != null ? n + " (0x" + Integer.toHexString(code) + ")" : "EGL error 0x" + Integer.toHexString(code);
    }
}
