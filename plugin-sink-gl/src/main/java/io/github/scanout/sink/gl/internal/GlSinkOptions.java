package io.github.scanout.sink.gl.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything a {@link GlSink} is configured with; plain Java, so the sink works without OSGi
 * ({@code GlSink.create(GlSinkOptions.headless("sim:gvt"))}).
 *
 * @param device the device name, for titles, logs and the placeholder
 * @param mode a window, or headless rendering into an FBO
 * @param scale how the frame fills the output
 * @param vsync swap with the display's refresh (windows)
 * @param title the window title's first part; empty for "Scanout"
 * @param width initial window width, or headless output width (0: the frame's)
 * @param height initial window height, or headless output height (0: the frame's)
 * @param edidResize ask the device for the window's size through its EDID region
 * @param maxFps the highest rate drawn (and asked of the pipeline), 0 for no limit
 * @param cursorOrigin what cursor positions name (the api: the image's top-left corner)
 * @param zeroCopy import dma-bufs into EGL when the context can (else always upload)
 * @param eglPlatform which EGL platform headless mode uses
 * @param windowApi which context API a window uses: auto picks EGL when that EGL display can
 *     import dma-bufs, else the native one (GLX)
 * @param startupWait how long {@code needs()} waits for GL start-up to know whether zero copy works
 */
public record GlSinkOptions(
        String device,
        Mode mode,
        ScaleMode scale,
        boolean vsync,
        String title,
        int width,
        int height,
        boolean edidResize,
        double maxFps,
        CursorOrigin cursorOrigin,
        boolean zeroCopy,
        EglPlatform eglPlatform,
        WindowApi windowApi,
        Duration startupWait) {

    /** Window or headless. */
    public enum Mode {
        WINDOW,
        HEADLESS;

        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mode must be window or headless, got '" + text + "'");
            }
        }
    }

    /** The window's context API. */
    public enum WindowApi {
        AUTO,
        NATIVE,
        EGL;

        public static WindowApi parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("window.api must be auto, native or egl, got '" + text + "'");
            }
        }
    }

    public GlSinkOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(cursorOrigin, "cursorOrigin");
        Objects.requireNonNull(eglPlatform, "eglPlatform");
        Objects.requireNonNull(windowApi, "windowApi");
        Objects.requireNonNull(startupWait, "startupWait");
        if (width < 0 || height < 0 || width > 16384 || height > 16384) {
            throw new IllegalArgumentException("width and height must be 0 (the frame's) or 1..16384, got "
                    + width + "x" + height);
        }
        if ((width == 0) != (height == 0)) {
            throw new IllegalArgumentException("set both width and height, or neither; got " + width + "x" + height);
        }
        if (!(maxFps >= 0) || maxFps > 1000) {
            throw new IllegalArgumentException("max.fps must be 0 (no limit) to 1000, got " + maxFps);
        }
    }

    /** Headless, frame-sized output, aspect scaling, everything else at its default. */
    public static GlSinkOptions headless(String device) {
        return new GlSinkOptions(device, Mode.HEADLESS, ScaleMode.ASPECT, false, "", 0, 0, false, 0,
                CursorOrigin.TOP_LEFT, true, EglPlatform.AUTO, WindowApi.AUTO, Duration.ofSeconds(3));
    }

    /** A window with the defaults. */
    public static GlSinkOptions window(String device) {
        return new GlSinkOptions(device, Mode.WINDOW, ScaleMode.ASPECT, true, "", 0, 0, false, 0,
                CursorOrigin.TOP_LEFT, true, EglPlatform.AUTO, WindowApi.AUTO, Duration.ofSeconds(3));
    }

    public GlSinkOptions withSize(int w, int h) {
        return new GlSinkOptions(device, mode, scale, vsync, title, w, h, edidResize, maxFps, cursorOrigin, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    public GlSinkOptions withScale(ScaleMode s) {
        return new GlSinkOptions(device, mode, s, vsync, title, width, height, edidResize, maxFps, cursorOrigin, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    public GlSinkOptions withCursorOrigin(CursorOrigin o) {
        return new GlSinkOptions(device, mode, scale, vsync, title, width, height, edidResize, maxFps, o, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    public GlSinkOptions withVsync(boolean v) {
        return new GlSinkOptions(device, mode, scale, v, title, width, height, edidResize, maxFps, cursorOrigin, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    public GlSinkOptions withEdidResize(boolean e) {
        return new GlSinkOptions(device, mode, scale, vsync, title, width, height, e, maxFps, cursorOrigin, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    public GlSinkOptions withMaxFps(double fps) {
        return new GlSinkOptions(device, mode, scale, vsync, title, width, height, edidResize, fps, cursorOrigin, zeroCopy,
                eglPlatform, windowApi, startupWait);
    }

    /** The window title's first part. */
    public String titleOrDefault() {
        return title.isBlank() ? "Scanout" : title;
    }
}
