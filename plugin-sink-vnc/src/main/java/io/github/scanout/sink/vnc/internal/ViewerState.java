package io.github.scanout.sink.vnc.internal;

/**
 * What one viewer asked for and what it has been sent, so that {@link Screen} can plan its next
 * update. Written by the viewer's reader thread (requests, formats) and by {@link Screen#next}.
 *
 * <p>Threads: every field is guarded by the {@link Screen}'s lock.
 */
final class ViewerState {
    /** Encodings this server sends. */
    static final int RAW = 0;
    static final int ZRLE = 16;
    static final int TIGHT = 7;
    static final int COPY_RECT = 1;
    /** Tight quality levels 0 to 9 are the pseudo-encodings -32 to -23. */
    static final int QUALITY_0 = -32;
    static final int QUALITY_9 = -23;
    static final int CURSOR = -239;
    static final int POINTER_POS = -232;
    static final int DESKTOP_SIZE = -223;
    static final int LAST_RECT = -224;
    static final int EXTENDED_DESKTOP_SIZE = -308;

    PixelFormat format = PixelFormat.DEFAULT;
    int encoding = RAW;
    /** Tight's JPEG quality level (0 to 9) the client asked for, or -1: no JPEG. */
    int jpegLevel = -1;
    boolean desktopSize;
    boolean extendedDesktopSize;
    boolean lastRect;
    /** The viewer takes CopyRect (encoding 1). */
    boolean copyRect;
    /** CopyRect rectangles planned for it. */
    long copies;
    /** Cursor shape and position sent as pseudo-rectangles (needs both Cursor and PointerPos). */
    boolean richCursor;

    boolean requested;
    boolean full = true;
    boolean announceExtended;
    int refusals;
    boolean closed;

    long versionSent;
    long sizeSent;
    long cursorShapeSent;
    long cursorPosSent;
    /** Where this viewer's picture has the cursor drawn in (composited cursor), or null. */
    Screen.Rect cursorDrawn;

    long coalesced;

    /**
     * Takes a SetEncodings list: the first of Tight, ZRLE and Raw it names, the quality level it
     * names first (JPEG in Tight), and the pseudo-encodings it supports.
     */
    void encodings(int[] list) {
        int chosen = RAW;
        int quality = -1;
        boolean cursor = false;
        boolean pointer = false;
        boolean ext = false;
        desktopSize = false;
        lastRect = false;
        copyRect = false;
        for (int i = list.length - 1; i >= 0; i--) {
            int e = list[i];
            switch (e) {
                case RAW, ZRLE, TIGHT -> chosen = e;
                case CURSOR -> cursor = true;
                case POINTER_POS -> pointer = true;
                case DESKTOP_SIZE -> desktopSize = true;
                case LAST_RECT -> lastRect = true;
                case COPY_RECT -> copyRect = true;
                case EXTENDED_DESKTOP_SIZE -> ext = true;
                default -> {
                    if (e >= QUALITY_0 && e <= QUALITY_9) {
                        quality = e - QUALITY_0;
                    }
                }
            }
        }
        encoding = chosen;
        jpegLevel = quality;
        boolean rich = cursor && pointer;
        if (rich != richCursor) {
            full = true; // the picture changes: the cursor is drawn in it, or no longer
            cursorDrawn = null;
        }
        richCursor = rich;
        cursorShapeSent = 0;
        cursorPosSent = 0;
        if (ext && !extendedDesktopSize) {
            announceExtended = true;
        }
        extendedDesktopSize = ext;
    }
}
