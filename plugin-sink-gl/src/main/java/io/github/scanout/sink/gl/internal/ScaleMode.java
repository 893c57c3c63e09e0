package io.github.scanout.sink.gl.internal;

import java.util.Locale;

/** How a frame fills a window or an output of another size. */
public enum ScaleMode {
    /** As large as fits with the frame's aspect ratio kept; black bars on the other sides. */
    ASPECT,
    /** Stretched to the whole output. */
    FIT,
    /** One frame pixel per output pixel, centred; cropped when the output is smaller. */
    NATIVE;

    public static ScaleMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scale must be aspect, fit or native, got '" + text + "'");
        }
    }

    /**
     * Where a {@code frameW x frameH} frame goes in a {@code outW x outH} output, in whole pixels
     * (so letterbox bars have sharp edges and a 1:1 view is exact).
     */
    Rect place(int frameW, int frameH, int outW, int outH) {
        return switch (this) {
            case FIT -> new Rect(0, 0, outW, outH);
            case NATIVE -> new Rect(Math.floorDiv(outW - frameW, 2), Math.floorDiv(outH - frameH, 2), frameW, frameH);
            case ASPECT -> {
                double scale = Math.min((double) outW / frameW, (double) outH / frameH);
                long w = Math.max(1, Math.min(outW, Math.round(frameW * scale)));
                long h = Math.max(1, Math.min(outH, Math.round(frameH * scale)));
                yield new Rect((outW - w) / 2, (outH - h) / 2, w, h);
            }
        };
    }
}
