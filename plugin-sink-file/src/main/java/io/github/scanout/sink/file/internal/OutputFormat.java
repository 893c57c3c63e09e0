package io.github.scanout.sink.file.internal;

import java.util.Locale;

/** What the file sink writes, with the defaults that depend on it. */
public enum OutputFormat {
    /** One PNG file per written frame in a directory. */
    PNG(1.0, true),
    /** Frames appended to one file, each with a small header ({@link RawStream}). */
    RAW(0, false),
    /** A YUV4MPEG2 stream ({@link Y4mStream}). */
    Y4M(0, false);

    private final double defaultMaxFps;
    private final boolean defaultCursor;

    OutputFormat(double defaultMaxFps, boolean defaultCursor) {
        this.defaultMaxFps = defaultMaxFps;
        this.defaultCursor = defaultCursor;
    }

    /** 1 for PNG, 0 (every frame) for the streams. */
    public double defaultMaxFps() {
        return defaultMaxFps;
    }

    /** Whether the cursor is composited unless configured: yes for PNG only. */
    public boolean defaultCursor() {
        return defaultCursor;
    }

    /** Whether this writes one growing file rather than one file per frame. */
    public boolean isStream() {
        return this != PNG;
    }

    /** The configuration value: {@code png}, {@code raw} or {@code y4m}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
