package io.github.scanout.sink.file.internal;

/**
 * An image read one row at a time as canonical {@code 0xAARRGGBB} ints (the layout of
 * {@link io.github.scanout.api.pixels.PixelConverter}). The encoders pull rows from it, so a
 * frame is never materialised as a whole image.
 *
 * <p>Threads: used by one thread at a time (the sink's delivery thread, or a benchmark thread),
 * except that {@link PngEncoder#encodeInBands} reads different rows from several threads at
 * once, which an implementation given to it must allow (reading only, as {@link PlaneRows} does).
 */
public interface ArgbRows {

    int width();

    int height();

    /** Whether the alpha channel carries information; false means every pixel is opaque. */
    boolean hasAlpha();

    /**
     * Writes row {@code y} into {@code dst[0 .. width)}.
     *
     * @param y 0 to {@code height - 1}, normally in increasing order
     */
    void row(int y, int[] dst);
}
