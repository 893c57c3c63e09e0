package io.github.scanout.sink.gl.internal;

import java.util.Locale;

/** Which EGL platform headless GL asks for a display. */
public enum EglPlatform {
    /** Surfaceless first (Mesa), then the device platform (NVIDIA's headless route). */
    AUTO,
    /** EGL_MESA_platform_surfaceless. */
    SURFACELESS,
    /** EGL_EXT_platform_device, hardware devices before software ones. */
    DEVICE;

    /** From configuration text: auto, surfaceless or device. */
    public static EglPlatform parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("egl.platform must be auto, surfaceless or device, got '" + text + "'");
        }
    }
}
