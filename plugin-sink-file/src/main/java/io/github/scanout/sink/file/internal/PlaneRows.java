package io.github.scanout.sink.file.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.pixels.PixelConverter;
import java.nio.ByteBuffer;

/**
 * A plane's rows as ARGB, converted by the canonical {@link PixelConverter} one row at a time
 * straight from the frame memory, with the cursor composited on top when one is given.
 *
 * <p>Threads: {@link #row} only reads (the frame memory with absolute reads, the cursor), so
 * different rows may be read from several threads at once ({@link PngEncoder#encodeInBands});
 * valid while the lease behind {@code pixels} is open and the cursor is not updated.
 */
public final class PlaneRows implements ArgbRows {
    private final PlaneInfo info;
    private final ByteBuffer pixels;
    private final boolean alpha;
    private final CursorSprite cursor;

    /**
     * @param info a linear plane in a format {@link PixelConverter} supports
     * @param pixels its bytes from index 0
     */
    public PlaneRows(PlaneInfo info, ByteBuffer pixels) {
        this(info, pixels, null);
    }

    PlaneRows(PlaneInfo info, ByteBuffer pixels, CursorSprite cursor) {
        PixelConverter.requireSupported(info.format());
        if (!info.modifier().isLinear()) {
            throw new IllegalArgumentException("plane " + info + " is not linear");
        }
        this.info = info;
        this.pixels = pixels;
        this.alpha = info.format().spec().orElseThrow().alpha();
        this.cursor = cursor;
    }

    @Override
    public int width() {
        return info.width();
    }

    @Override
    public int height() {
        return info.height();
    }

    @Override
    public boolean hasAlpha() {
        return alpha;
    }

    @Override
    public void row(int y, int[] dst) {
        PixelConverter.convertRow(info, pixels, y, dst, 0);
        if (cursor != null) {
            cursor.blendRow(y, dst, info.width(), alpha);
        }
    }
}
