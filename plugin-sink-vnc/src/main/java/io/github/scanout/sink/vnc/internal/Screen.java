package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.Damage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one device shows, as every viewer of it sees it: the picture as ARGB, which 64x64 tiles
 * changed in which frame (computed once per frame and shared by all viewers), the cursor, and
 * the encoded rectangles of the current frame (shared by viewers that ask for the same encoding
 * and pixel format).
 *
 * <p>Each viewer keeps in its {@link ViewerState} the frame version it last received; an update
 * for it holds every tile changed since then, so a slow viewer gets one coalesced update instead
 * of a queue. Frames never wait for viewers: viewers copy the rectangles they send while holding
 * this object's lock, which {@link #frame} takes only to swap the picture.
 *
 * <p>Threads: {@link #frame} and {@link #cursor} come from the sink's delivery thread, the rest
 * from viewers' threads; all state is guarded by {@code this}.
 */
final class Screen {
    static final int TILE = 64;
    /** Encoded bytes kept for the current frame, at most. */
    static final long CACHE_BYTES = 64L << 20;

    private int width;
    private int height;
    private int[] pixels;
    private long version = 1;
    private long sizeVersion = 1;
    private int tilesX;
    private int tilesY;
    private long[] tileVersion;

    private int[] cursor = new int[0];
    /** The tiles {@link #frame} found changed; reused from frame to frame (delivery thread only). */
    private int[] changedTiles = new int[0];
    private int cursorWidth;
    private int cursorHeight;
    private int cursorX;
    private int cursorY;
    private int hotX;
    private int hotY;
    private boolean cursorVisible;
    private long cursorShapeVersion = 1;
    private long cursorPosVersion = 1;
    private boolean closed;

    /** The move (vertical or horizontal scroll) that explains part of the current frame, or null. */
    private Move move;

    private final Map<CacheKey, byte[]> cache = new ConcurrentHashMap<>();
    private long cacheBytes;
    private long cacheHits;
    private long cacheMisses;

    /** A rectangle of the picture. */
    record Rect(int x, int y, int width, int height) {
        Rect clip(int w, int h) {
            int x0 = Math.max(0, x);
            int y0 = Math.max(0, y);
            int x1 = (int) Math.min(w, (long) x + width);
            int y1 = (int) Math.min(h, (long) y + height);
            return x1 <= x0 || y1 <= y0 ? null : new Rect(x0, y0, x1 - x0, y1 - y0);
        }
    }

    /** One rectangle to send, with its pixels copied out of the picture and the key of its encoded form. */
    record Tile(Rect rect, int[] argb, CacheKey key) {}

    /** What identifies an encoded rectangle: frame, place, encoding, JPEG quality, pixel format, composited cursor. */
    record CacheKey(long version, Rect rect, int encoding, int quality, PixelFormat format, long cursor) {}

    /**
     * A rectangle of frame {@code version} that equals the rectangle at {@code (srcX, srcY)} of the
     * frame before it: a scroll, sent to a viewer holding the previous frame as one CopyRect
     * instead of the tiles it covers. Two kinds are found: a vertical scroll (a run of whole rows
     * moved up or down) and a horizontal one (a run of rows each moved left or right by the same
     * amount, over the width they keep: a panel panned sideways under a fixed header or status bar).
     */
    record Move(long version, int x, int y, int width, int height, int srcX, int srcY) {
        /** Moves shorter than this many rows are not worth a rectangle. */
        static final int MIN_ROWS = 2 * TILE;
        static final int MAX_SHIFT = 4 * TILE;
        /** Rows a horizontal shift is first tried on (spread over the frame), before the exact pass. */
        static final int SAMPLE_ROWS = 16;

        /** The vertical move that explains the most rows, else the horizontal one, else null. */
        static Move find(int[] old, int[] now, int w, int h, long version) {
            Move m = vertical(old, now, w, h, version);
            return m != null ? m : horizontal(old, now, w, h, version);
        }

        static Move vertical(int[] old, int[] now, int w, int h, long version) {
            long[] ho = rowHashes(old, w, h);
            long[] hn = rowHashes(now, w, h);
            int bestDy = 0;
            int bestCount = 0;
            for (int dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
                if (dy == 0) {
                    continue;
                }
                int count = 0;
                for (int y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
                    if (hn[y] == ho[y + dy]) {
                        count++;
                    }
                }
                if (count > bestCount) {
                    bestCount = count;
                    bestDy = dy;
                }
            }
            if (bestCount < MIN_ROWS) {
                return null;
            }
            // the longest run of rows that really equal the shifted old rows
            int dy = bestDy;
            int[] run = longestRun(Math.max(0, -dy), Math.min(h, h - dy), y -> hn[y] == ho[y + dy]
                    && Arrays.equals(now, y * w, y * w + w, old, (y + dy) * w, (y + dy) * w + w));
            return run[1] >= MIN_ROWS ? new Move(version, 0, run[0], w, run[1], 0, run[0] + dy) : null;
        }

        /**
         * Row {@code y} of the new frame, over {@code [max(0, -dx), min(w, w - dx))}, equals row
         * {@code y} of the old one shifted by {@code dx}: the shift is chosen on sample rows that
         * changed, then the longest run of rows where it holds exactly is the move.
         */
        static Move horizontal(int[] old, int[] now, int w, int h, long version) {
            if (w < 2 * MIN_ROWS) {
                return null;
            }
            int bestDx = 0;
            int bestCount = 0;
            for (int dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
                if (dx == 0 || w - Math.abs(dx) < MIN_ROWS) {
                    continue;
                }
                int count = 0;
                for (int i = 0; i < SAMPLE_ROWS; i++) {
                    int y = (int) ((2L * i + 1) * h / (2 * SAMPLE_ROWS));
                    if (shifted(old, now, w, y, dx) && !Arrays.equals(now, y * w, y * w + w, old, y * w, y * w + w)) {
                        count++;
                    }
                }
                if (count > bestCount) {
                    bestCount = count;
                    bestDx = dx;
                }
            }
            if (bestCount == 0) {
                return null;
            }
            int dx = bestDx;
            int[] run = longestRun(0, h, y -> shifted(old, now, w, y, dx));
            if (run[1] < MIN_ROWS) {
                return null;
            }
            int x0 = Math.max(0, -dx);
            return new Move(version, x0, run[0], Math.min(w, w - dx) - x0, run[1], x0 + dx, run[0]);
        }

        private static boolean shifted(int[] old, int[] now, int w, int y, int dx) {
            int x0 = Math.max(0, -dx);
            int x1 = Math.min(w, w - dx);
            return Arrays.equals(now, y * w + x0, y * w + x1, old, y * w + x0 + dx, y * w + x1 + dx);
        }

        /** The longest run of {@code y} in {@code [lo, hi)} for which {@code same} holds: {start, length}. */
        private static int[] longestRun(int lo, int hi, java.util.function.IntPredicate same) {
            int bestY0 = 0;
            int bestLen = 0;
            int run = -1;
            for (int y = lo; y <= hi; y++) {
                boolean s = y < hi && same.test(y);
                if (s && run < 0) {
                    run = y;
                } else if (!s && run >= 0) {
                    if (y - run > bestLen) {
                        bestLen = y - run;
                        bestY0 = run;
                    }
                    run = -1;
                }
            }
            return new int[] {bestY0, bestLen};
        }

        /** Whether tile {@code (tx, ty)} lies wholly inside the move (then the CopyRect paints it). */
        boolean covers(int tx, int ty, int screenW, int screenH) {
            int x0 = tx * TILE;
            int y0 = ty * TILE;
            return x0 >= x && y0 >= y && Math.min(screenW, x0 + TILE) <= x + width
                    && Math.min(screenH, y0 + TILE) <= y + height;
        }

        private static long[] rowHashes(int[] px, int w, int h) {
            long[] out = new long[h];
            for (int y = 0; y < h; y++) {
                long x = 1125899906842597L;
                for (int i = y * w, end = i + w; i < end; i++) {
                    x = 31 * x + px[i];
                }
                out[y] = x;
            }
            return out;
        }
    }

    /** The cursor image for the Cursor pseudo-encoding. */
    record CursorShape(int[] argb, int width, int height, int hotX, int hotY) {}

    /**
     * One update for one viewer.
     *
     * @param size the new desktop size, or null
     * @param extendedReason for an ExtendedDesktopSize rectangle: -1 none, 0 server change, 1 the
     *     reply refusing a client's request
     */
    record Update(int[] size, int extendedReason, CursorShape shape, int[] pointer, int[] copy, List<Tile> tiles,
            boolean resizeUnsupported) {}

    Screen(int width, int height) {
        resize(width, height);
        this.pixels = new int[width * height];
        Arrays.fill(pixels, 0xff000000);
    }

    private void resize(int w, int h) {
        width = w;
        height = h;
        tilesX = (w + TILE - 1) / TILE;
        tilesY = (h + TILE - 1) / TILE;
        tileVersion = new long[tilesX * tilesY];
        Arrays.fill(tileVersion, version);
    }

    synchronized int width() {
        return width;
    }

    synchronized int height() {
        return height;
    }

    /**
     * Takes a new picture ({@code w * h} ARGB pixels; the array becomes the screen's) and
     * returns the previous one for the caller to reuse. Tiles that differ get a new version; a
     * picture equal to the last one changes nothing.
     *
     * <p>Only the delivery thread calls this, and only this writes the picture, its size and the
     * versions; so the comparison with the previous picture (a pass over both, milliseconds at
     * 1080p) runs outside the lock, which is held only to swap the result in: viewers copying
     * rectangles do not wait for it.
     */
    int[] frame(int w, int h, int[] argb) {
        return frame(w, h, argb, Damage.UNKNOWN);
    }

    /**
     * Like {@link #frame(int, int, int[])}, comparing only the tiles that {@code damage} touches:
     * the caller vouches that no pixel outside it differs from the last picture.
     */
    int[] frame(int w, int h, int[] argb, Damage damage) {
        int[] old = pixels;
        if (w != width || h != height) {
            synchronized (this) {
                version++;
                sizeVersion++;
                resize(w, h);
                pixels = argb;
                clearCache();
                notifyAll();
            }
            return old;
        }
        int tiles = tilesX * tilesY;
        if (changedTiles.length != tiles) {
            changedTiles = new int[tiles];
        }
        int changed = 0;
        for (int ty = 0; ty < tilesY; ty++) {
            int y0 = ty * TILE;
            int y1 = Math.min(h, y0 + TILE);
            for (int tx = 0; tx < tilesX; tx++) {
                int x0 = tx * TILE;
                int x1 = Math.min(w, x0 + TILE);
                if (!damage.touches(x0, y0, x1 - x0, y1 - y0)) {
                    continue;
                }
                for (int y = y0; y < y1; y++) {
                    int o = y * w;
                    if (!Arrays.equals(old, o + x0, o + x1, argb, o + x0, o + x1)) {
                        changedTiles[changed++] = ty * tilesX + tx;
                        break;
                    }
                }
            }
        }
        long next = version + 1;
        // a scroll changes many tiles: look for a move only then (it costs a pass over both frames)
        Move found = changed * 4 >= tilesX * tilesY && tilesY >= 2 ? Move.find(old, argb, w, h, next) : null;
        synchronized (this) {
            for (int i = 0; i < changed; i++) {
                tileVersion[changedTiles[i]] = next;
            }
            pixels = argb;
            move = found;
            if (changed > 0) {
                version = next;
                clearCache();
                notifyAll();
            }
        }
        return old;
    }

    /**
     * Takes the cursor: its image (ARGB, {@code w * h}, the array becomes the screen's) when it
     * changed, else null; where its top-left corner is; its hotspot.
     */
    synchronized void cursor(boolean visible, int[] image, int w, int h, int x, int y, int hx, int hy) {
        if (visible != cursorVisible || (image != null && (w != cursorWidth || h != cursorHeight
                || !Arrays.equals(image, 0, w * h, cursor, 0, Math.min(cursor.length, cursorWidth * cursorHeight))))
                || (visible && (hx != hotX || hy != hotY))) {
            cursorShapeVersion++;
        }
        if (image != null) {
            cursor = image;
            cursorWidth = w;
            cursorHeight = h;
        }
        if (visible && (x != cursorX || y != cursorY) || visible != cursorVisible) {
            cursorPosVersion++;
        }
        cursorVisible = visible;
        cursorX = x;
        cursorY = y;
        hotX = hx;
        hotY = hy;
        notifyAll();
    }

    /** Wakes every viewer waiting for news, to see that the screen is closed. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Wakes the viewers (a request arrived, or a viewer is closing). */
    synchronized void wake() {
        notifyAll();
    }

    /** The initial state of a new viewer: it knows the current size from ServerInit. */
    synchronized int[] join(ViewerState v) {
        v.sizeSent = sizeVersion;
        return new int[] {width, height};
    }

    /**
     * Waits until the viewer has asked for an update and there is something to send, then plans
     * it. Returns null when the screen or the viewer closes, or after {@code waitMillis} without news.
     */
    synchronized Update next(ViewerState v, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (!closed && !v.closed && !hasNews(v)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        if (closed || v.closed) {
            return null;
        }
        return plan(v);
    }

    private boolean hasNews(ViewerState v) {
        return v.requested && (v.full || v.sizeSent != sizeVersion || v.announceExtended || v.refusals > 0
                || v.versionSent < version || cursorNews(v));
    }

    private boolean cursorNews(ViewerState v) {
        return v.cursorShapeSent != cursorShapeVersion || v.cursorPosSent != cursorPosVersion;
    }

    private Update plan(ViewerState v) {
        v.requested = false;
        if (v.sizeSent != sizeVersion) {
            if (!v.desktopSize && !v.extendedDesktopSize) {
                return new Update(null, -1, null, null, null, List.of(), true);
            }
            v.sizeSent = sizeVersion;
            v.full = true;
            v.announceExtended = false;
            v.requested = false;
            return new Update(new int[] {width, height}, v.extendedDesktopSize ? 0 : -1, null, null, null, List.of(), false);
        }
        int[] size = null;
        int reason = -1;
        if (v.announceExtended || v.refusals > 0) {
            size = new int[] {width, height};
            reason = v.refusals > 0 ? 1 : 0;
            v.refusals = Math.max(0, v.refusals - 1);
            v.announceExtended = false;
        }
        CursorShape shape = null;
        int[] pointer = null;
        List<Rect> rects = new ArrayList<>();
        int[] copy = null;
        // CopyRect only for a viewer holding exactly the frame before (and no cursor drawn into it)
        Move m = !v.full && v.copyRect && move != null && move.version() == version && v.versionSent == version - 1
                && (v.richCursor || v.cursorDrawn == null) ? move : null;
        if (m != null) {
            copy = new int[] {m.x(), m.y(), m.width(), m.height(), m.srcX(), m.srcY()};
            v.copies++;
        }
        if (v.full) {
            rects.add(new Rect(0, 0, width, height));
        } else if (v.versionSent < version) {
            for (int ty = 0; ty < tilesY; ty++) {
                int run = -1;
                for (int tx = 0; tx <= tilesX; tx++) {
                    boolean dirty = tx < tilesX && tileVersion[ty * tilesX + tx] > v.versionSent
                            && (m == null || !m.covers(tx, ty, width, height));
                    if (dirty && run < 0) {
                        run = tx;
                    } else if (!dirty && run >= 0) {
                        rects.add(new Rect(run * TILE, ty * TILE, (tx - run) * TILE, TILE).clip(width, height));
                        run = -1;
                    }
                }
            }
        }
        if (v.versionSent > 0 && version > v.versionSent + 1) {
            v.coalesced += version - v.versionSent - 1;
        }
        long cursorKey = -1;
        if (v.richCursor) {
            if (v.cursorShapeSent != cursorShapeVersion) {
                shape = cursorVisible ? new CursorShape(cursor.clone(), cursorWidth, cursorHeight, hotX, hotY)
                        : new CursorShape(new int[0], 0, 0, 0, 0);
            }
            if (v.cursorPosSent != cursorPosVersion && cursorVisible) {
                pointer = new int[] {clamp(cursorX + hotX, width), clamp(cursorY + hotY, height)};
            }
        } else {
            if (cursorNews(v) && !v.full) {
                if (v.cursorDrawn != null) {
                    addClipped(rects, v.cursorDrawn);
                }
                if (cursorVisible) {
                    addClipped(rects, new Rect(cursorX, cursorY, cursorWidth, cursorHeight));
                }
            }
            v.cursorDrawn = cursorVisible ? new Rect(cursorX, cursorY, cursorWidth, cursorHeight) : null;
            cursorKey = cursorVisible ? (cursorShapeVersion << 32) ^ cursorPosVersion : 0;
        }
        v.cursorShapeSent = cursorShapeVersion;
        v.cursorPosSent = cursorPosVersion;
        v.versionSent = version;
        v.full = false;
        List<Tile> tiles = new ArrayList<>(rects.size());
        for (Rect r : rects) {
            CacheKey key = new CacheKey(version, r, v.encoding, v.encoding == ViewerState.TIGHT ? v.jpegLevel : -1, v.format, cursorKey);
            tiles.add(new Tile(r, copy(r, !v.richCursor), key));
        }
        return new Update(size, reason, shape, pointer, copy, tiles, false);
    }

    private static int clamp(int v, int limit) {
        return Math.max(0, Math.min(limit - 1, v));
    }

    private void addClipped(List<Rect> rects, Rect r) {
        Rect c = r.clip(width, height);
        if (c != null) {
            rects.add(c);
        }
    }

    /** The pixels of a rectangle, with the cursor drawn in when asked. */
    private int[] copy(Rect r, boolean withCursor) {
        int[] out = new int[r.width() * r.height()];
        for (int y = 0; y < r.height(); y++) {
            System.arraycopy(pixels, (r.y() + y) * width + r.x(), out, y * r.width(), r.width());
        }
        if (withCursor && cursorVisible) {
            for (int cy = 0; cy < cursorHeight; cy++) {
                int fy = cursorY + cy;
                if (fy < r.y() || fy >= r.y() + r.height()) {
                    continue;
                }
                for (int cx = 0; cx < cursorWidth; cx++) {
                    int fx = cursorX + cx;
                    if (fx < r.x() || fx >= r.x() + r.width()) {
                        continue;
                    }
                    int s = cursor[cy * cursorWidth + cx];
                    int a = s >>> 24;
                    int o = (fy - r.y()) * r.width() + (fx - r.x());
                    if (a == 255) {
                        out[o] = s;
                    } else if (a != 0) {
                        out[o] = over(s, a, out[o]);
                    }
                }
            }
        }
        return out;
    }

    /** {@code s over d} for an opaque destination, non-premultiplied, rounded. */
    static int over(int s, int a, int d) {
        int ia = 255 - a;
        int r = div255(((s >>> 16) & 0xff) * a + ((d >>> 16) & 0xff) * ia);
        int g = div255(((s >>> 8) & 0xff) * a + ((d >>> 8) & 0xff) * ia);
        int b = div255((s & 0xff) * a + (d & 0xff) * ia);
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }

    private static int div255(int v) {
        v += 128;
        return (v + (v >>> 8)) >>> 8;
    }

    /** The encoded bytes of a rectangle another viewer encoded for this frame, or null. */
    byte[] cached(CacheKey key) {
        byte[] b = cache.get(key);
        synchronized (this) {
            if (b != null) {
                cacheHits++;
            } else {
                cacheMisses++;
            }
        }
        return b;
    }

    /** Keeps encoded bytes for other viewers while the frame is current and the budget allows. */
    synchronized void cache(CacheKey key, byte[] encoded) {
        if (key.version() == version && cacheBytes + encoded.length <= CACHE_BYTES
                && cache.putIfAbsent(key, encoded) == null) {
            cacheBytes += encoded.length;
        }
    }

    private void clearCache() {
        cache.clear();
        cacheBytes = 0;
    }

    synchronized long cacheHits() {
        return cacheHits;
    }

    synchronized long version() {
        return version;
    }
}
