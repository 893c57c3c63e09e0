package io.github.scanout.sink.file.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.CursorState;

/**
 * The sink's copy of the cursor: its image converted once to ARGB (the pipeline's lease on the
 * image is only valid during the call), and where it is. Composites itself onto frame rows.
 *
 * <p>Position: {@link CursorState#x()} and {@link CursorState#y()} are the image's top-left
 * corner relative to the primary plane (the api's definition, and the hardware cursor
 * registers' meaning); the hotspot says where the pointer is inside the image and does not
 * move the image.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class CursorSprite {
    private int[] pixels = new int[0];
    private int width;
    private int height;
    private long imageHash;
    private boolean haveImage;
    private boolean visible;
    private int x;
    private int y;

    /**
     * Takes the new cursor state.
     *
     * @throws IllegalArgumentException when the cursor image cannot be read by the CPU (the
     *     cursor is then hidden until a readable image arrives)
     */
    void update(CursorState state) {
        if (!state.visible()) {
            visible = false;
            return;
        }
        PlaneBuffer image = state.image().orElseThrow();
        PlaneInfo info = image.info();
        boolean sameSize = haveImage && info.width() == width && info.height() == height;
        if (state.imageChanged() || !sameSize) {
            if (!image.cpuReadable() || !info.modifier().isLinear() || !PixelConverter.isSupported(info.format())) {
                visible = false;
                haveImage = false;
                throw new IllegalArgumentException("cursor image " + info + " (" + image.memory()
                        + ") cannot be read as linear CPU pixels; the cursor is left out");
            }
            int n = Math.multiplyExact(info.width(), info.height());
            if (pixels.length < n) {
                pixels = new int[n];
            }
            var src = image.pixels();
            for (int row = 0; row < info.height(); row++) {
                PixelConverter.convertRow(info, src, row, pixels, row * info.width());
            }
            width = info.width();
            height = info.height();
            imageHash = ContentHash.of(pixels, n);
            haveImage = true;
        }
        visible = true;
        x = state.x();
        y = state.y();
    }

    /** Hides the cursor and forgets its image. */
    void clear() {
        visible = false;
        haveImage = false;
    }

    boolean visible() {
        return visible && haveImage;
    }

    /** Changes whenever what compositing would draw changes; 0 when hidden. */
    long signature() {
        if (!visible()) {
            return 0;
        }
        return ContentHash.combine(imageHash, ((long) x << 32) ^ (y & 0xffffffffL));
    }

    /**
     * Draws the cursor over one frame row ("source over", non-premultiplied).
     *
     * @param frameY the row of the frame
     * @param row the frame row as ARGB, {@code frameWidth} pixels
     * @param frameAlpha whether the row's alpha is meaningful (RGBA output); when false the
     *     row is opaque and stays opaque
     */
    void blendRow(int frameY, int[] row, int frameWidth, boolean frameAlpha) {
        if (!visible()) {
            return;
        }
        int cy = frameY - y;
        if (cy < 0 || cy >= height) {
            return;
        }
        int x0 = Math.max(0, x);
        int x1 = (int) Math.min(frameWidth, (long) x + width);
        int base = cy * width - x;
        for (int fx = x0; fx < x1; fx++) {
            int s = pixels[base + fx];
            int a = s >>> 24;
            if (a == 0) {
                continue;
            }
            if (a == 255) {
                row[fx] = s;
            } else {
                row[fx] = frameAlpha ? overWithAlpha(s, a, row[fx]) : overOpaque(s, a, row[fx]);
            }
        }
    }

    /** {@code s over d} for an opaque destination: {@code (s*a + d*(255-a)) / 255}, rounded. */
    static int overOpaque(int s, int a, int d) {
        int ia = 255 - a;
        int r = div255(((s >>> 16) & 0xff) * a + ((d >>> 16) & 0xff) * ia);
        int g = div255(((s >>> 8) & 0xff) * a + ((d >>> 8) & 0xff) * ia);
        int b = div255((s & 0xff) * a + (d & 0xff) * ia);
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }

    /** {@code s over d} when both carry alpha (non-premultiplied). */
    static int overWithAlpha(int s, int a, int d) {
        int da = d >>> 24;
        int dw = da * (255 - a); // destination weight, scaled by 255
        int outA255 = a * 255 + dw; // output alpha, scaled by 255
        if (outA255 == 0) {
            return 0;
        }
        int r = channel((s >>> 16) & 0xff, (d >>> 16) & 0xff, a, dw, outA255);
        int g = channel((s >>> 8) & 0xff, (d >>> 8) & 0xff, a, dw, outA255);
        int b = channel(s & 0xff, d & 0xff, a, dw, outA255);
        int outA = div255(outA255);
        return (outA << 24) | (r << 16) | (g << 8) | b;
    }

    private static int channel(int sc, int dc, int a, int dw, int outA255) {
        long num = (long) sc * a * 255 + (long) dc * dw;
        return (int) Math.min(255, (num + outA255 / 2) / outA255);
    }

    /** {@code round(v / 255)} for 0 <= v <= 255 * 255. */
    static int div255(int v) {
        v += 128;
        return (v + (v >>> 8)) >>> 8;
    }
}
