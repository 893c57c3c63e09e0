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

    public static final Modifier LINEAR = new Modifier(0L);
    public static final Modifier INVALID = new Modifier(0x00ff_ffff_ffff_ffffL);
    public static final Modifier I915_X_TILED = new Modifier(0x0100_0000_0000_0001L);
    public static final Modifier I915_Y_TILED = new Modifier(0x0100_0000_0000_0002L);
    public static final Modifier I915_YF_TILED = new Modifier(0x0100_0000_0000_0003L);

    /** Vendor byte of Intel modifiers. */
    public static final int VENDOR_INTEL = 0x01;

    /** The vendor byte (the top 8 bits). */
    public int vendor() {
        return (int) (value >>> 56);
    }

    public boolean isLinear() {
        return value == 0L;
    }

    public boolean isInvalid() {
        return equals(INVALID);
    }

    /** Whether this is one of the Intel tilings Scanout understands (X, Y, Yf). */
    public boolean isKnownTiling() {
        return equals(I915_X_TILED) || equals(I915_Y_TILED) || equals(I915_YF_TILED);
    }

    /** Width of one tile in bytes: 512 for X, 128 for Y and Yf, 1 for linear. */
    public int tileWidthBytes() {
        if (equals(I915_X_TILED)) {
            return 512;
        }
        if (equals(I915_Y_TILED) || equals(I915_YF_TILED)) {
            return 128;
        }
        return 1;
    }

    /** Rows in one tile: 8 for X, 32 for Y and Yf, 1 for linear. */
    public int tileRows() {
        if (equals(I915_X_TILED)) {
            return 8;
        }
        if (equals(I915_Y_TILED) || equals(I915_YF_TILED)) {
            return 32;
        }
        return 1;
    }

    /** {@code LINEAR}, {@code I915_X_TILED}, ..., or the hex value. */
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
