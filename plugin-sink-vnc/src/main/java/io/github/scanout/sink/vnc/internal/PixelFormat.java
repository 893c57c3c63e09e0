package io.github.scanout.sink.vnc.internal;

/**
 * An RFB pixel format (the 16 bytes of ServerInit and SetPixelFormat), true colour only, and the
 * conversion of canonical {@code 0xAARRGGBB} pixels to it.
 *
 * <p>Immutable; any thread.
 */
record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, int redMax, int greenMax, int blueMax,
        int redShift, int greenShift, int blueShift) {

    /** What the server offers: 32 bits, depth 24, little-endian, 8 bits per channel as in XRGB8888. */
    static final PixelFormat DEFAULT = new PixelFormat(32, 24, false, 255, 255, 255, 16, 8, 0);

    /**
     * Reads a client's SetPixelFormat body.
     *
     * @throws ProtocolException when the format is not one a server can produce: bits per pixel
     *     other than 8, 16 or 32, colour-map formats, or channels that do not fit
     */
    static PixelFormat parse(byte[] b) throws ProtocolException {
        int bpp = b[0] & 0xff;
        int depth = b[1] & 0xff;
        boolean big = b[2] != 0;
        boolean trueColour = b[3] != 0;
        int rMax = u16(b, 4);
        int gMax = u16(b, 6);
        int bMax = u16(b, 8);
        int rShift = b[10] & 0xff;
        int gShift = b[11] & 0xff;
        int bShift = b[12] & 0xff;
        if (bpp != 8 && bpp != 16 && bpp != 32) {
            throw new ProtocolException("pixel format with " + bpp + " bits per pixel (8, 16 or 32 are valid)");
        }
        if (!trueColour) {
            throw new ProtocolException("colour-map pixel formats are not supported (true colour only)");
        }
        PixelFormat f = new PixelFormat(bpp, depth, big, rMax, gMax, bMax, rShift, gShift, bShift);
        if (!f.fits(rMax, rShift) || !f.fits(gMax, gShift) || !f.fits(bMax, bShift)) {
            throw new ProtocolException("pixel format channels do not fit in " + bpp + " bits: max " + rMax + "/" + gMax
                    + "/" + bMax + " shift " + rShift + "/" + gShift + "/" + bShift);
        }
        return f;
    }

    private boolean fits(int max, int shift) {
        return max > 0 && shift < bitsPerPixel && ((long) max << shift) < (1L << bitsPerPixel) && max <= 0xffff;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /** The 16 bytes as ServerInit sends them. */
    byte[] bytes() {
        return new byte[] {(byte) bitsPerPixel, (byte) depth, (byte) (bigEndian ? 1 : 0), 1,
            (byte) (redMax >>> 8), (byte) redMax, (byte) (greenMax >>> 8), (byte) greenMax,
            (byte) (blueMax >>> 8), (byte) blueMax, (byte) redShift, (byte) greenShift, (byte) blueShift, 0, 0, 0};
    }

    int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /** The client's pixel value for an ARGB pixel (alpha ignored), channels rounded to the nearest level. */
    int pixel(int argb) {
        int r = (argb >>> 16) & 0xff;
        int g = (argb >>> 8) & 0xff;
        int b = argb & 0xff;
        return (scale(r, redMax) << redShift) | (scale(g, greenMax) << greenShift) | (scale(b, blueMax) << blueShift);
    }

    private static int scale(int v, int max) {
        return max == 255 ? v : (v * max + 127) / 255;
    }

    /** Bytes of a ZRLE/Tight compressed pixel: 3 when 32-bit pixels carry their colour in 3 bytes, else the pixel size. */
    int compactBytes() {
        if (bitsPerPixel == 32 && depth <= 24 && (fitsLow() || fitsHigh())) {
            return 3;
        }
        return bytesPerPixel();
    }

    private long mask() {
        return ((long) redMax << redShift) | ((long) greenMax << greenShift) | ((long) blueMax << blueShift);
    }

    private boolean fitsLow() {
        return (mask() & 0xff000000L) == 0;
    }

    private boolean fitsHigh() {
        return (mask() & 0xffL) == 0;
    }

    /** Writes one pixel value in the client's byte order; returns the new offset. */
    int put(byte[] out, int off, int value) {
        return putBytes(out, off, value, bytesPerPixel());
    }

    /** Writes one compact pixel (see {@link #compactBytes()}); returns the new offset. */
    int putCompact(byte[] out, int off, int value) {
        if (compactBytes() == 3) {
            return putBytes(out, off, fitsLow() ? value : value >>> 8, 3);
        }
        return put(out, off, value);
    }

    private int putBytes(byte[] out, int off, int value, int n) {
        if (bigEndian) {
            for (int i = n - 1; i >= 0; i--) {
                out[off++] = (byte) (value >>> (8 * i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[off++] = (byte) (value >>> (8 * i));
            }
        }
        return off;
    }
}
