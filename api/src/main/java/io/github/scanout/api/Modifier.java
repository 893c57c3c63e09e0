package io.github.scanout.api;

/**
 * A DRM format modifier: how the pixels of a buffer are arranged in memory.
 *
 * <p>The top byte names the vendor. {@link #INVALID} means "no modifier was given" and must
 * never be passed on as a real one.
 *
 * @param value the 64-bit modifier
 */
public record Modifier(long value) {

    /** {@code DRM_FORMAT_MOD_LINEAR}: rows of pixels one after the other. */
    public static final Modifier LINEAR = new Modifier(0L);
    /** {@code DRM_FORMAT_MOD_INVALID}: no modifier was given. */
    public static final Modifier INVALID = new Modifier(0x00ff_ffff_ffff_ffffL);
    /** {@code I915_FORMAT_MOD_X_TILED}: 512-byte by 8-row tiles. */
    public static final Modifier I915_X_TILED = new Modifier(0x0100_0000_0000_0001L);
    /** {@code I915_FORMAT_MOD_Y_TILED}: 128-byte by 32-row tiles. */
    public static final Modifier I915_Y_TILED = new Modifier(0x0100_0000_0000_0002L);
    /** {@code I915_FORMAT_MOD_Yf_TILED}: 128-byte by 32-row tiles. */
    public static final Modifier I915_YF_TILED = new Modifier(0x0100_0000_0000_0003L);

    /** Vendor byte of Intel modifiers. */
    public static final int VENDOR_INTEL = 0x01;

    /** {@return the vendor byte (the top 8 bits)} */
    public int vendor() {
        return (int) (value >>> 56);
    }

    /** {@return whether this is {@link #LINEAR}: rows of pixels one after the other} */
    public boolean isLinear() {
        return value == 0L;
    }

    /** {@return whether this is {@link #INVALID}, "no modifier given"} */
    public boolean isInvalid() {
        return equals(INVALID);
    }

    /** {@return whether this is one of the Intel tilings Scanout understands (X, Y, Yf)} */
    public boolean isKnownTiling() {
        return equals(I915_X_TILED) || equals(I915_Y_TILED) || equals(I915_YF_TILED);
    }

    /** {@return the width of one tile in bytes: 512 for X, 128 for Y and Yf, 1 for linear} */
    public int tileWidthBytes() {
        if (equals(I915_X_TILED)) {
            return 512;
        }
        if (equals(I915_Y_TILED) || equals(I915_YF_TILED)) {
            return 128;
        }
        return 1;
    }

    /** {@return the rows in one tile: 8 for X, 32 for Y and Yf, 1 for linear} */
    public int tileRows() {
        if (equals(I915_X_TILED)) {
            return 8;
        }
        if (equals(I915_Y_TILED) || equals(I915_YF_TILED)) {
            return 32;
        }
        return 1;
    }

    /** {@return {@code LINEAR}, {@code I915_X_TILED}, ..., or the hex value} */
    @Override
    public String toString() {
        if (isLinear()) {
            return "LINEAR";
        }
        if (isInvalid()) {
            return "INVALID";
        }
        if (equals(I915_X_TILED)) {
            return "I915_X_TILED";
        }
        if (equals(I915_Y_TILED)) {
            return "I915_Y_TILED";
        }
        if (equals(I915_YF_TILED)) {
            return "I915_YF_TILED";
        }
        return String.format("0x%016x", value);
    }
}
