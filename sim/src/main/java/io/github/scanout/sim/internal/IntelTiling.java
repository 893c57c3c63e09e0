package io.github.scanout.sim.internal;

import io.github.scanout.api.Modifier;

/**
 * Intel tiled memory layouts (no address swizzling, as on Gen9+ with GVT-g), used by the
 * simulated GVT-g to lay the guest's framebuffer out the way the GPU would.
 *
 * <p>A surface of {@code stride} bytes per row is cut into 4 KiB tiles; tiles are stored row
 * by row ({@code stride / tileWidth} tiles per tile row).
 * <ul>
 *   <li><b>X-tiled</b> ({@code I915_FORMAT_MOD_X_TILED}): a tile is 512 bytes wide and 8 rows
 *       high, stored row-major: byte (x, y) of the tile is at {@code y * 512 + x}.</li>
 *   <li><b>Y-tiled</b> ({@code I915_FORMAT_MOD_Y_TILED}): a tile is 128 bytes wide and 32 rows
 *       high, made of eight 16-byte-wide OWord columns; each column holds its 32 rows of 16
 *       bytes one after another (512 bytes), and the columns follow each other left to right:
 *       byte (x, y) of the tile is at {@code (x / 16) * 512 + y * 16 + x % 16}.</li>
 * </ul>
 * The stride must be a multiple of the tile width; the buffer holds
 * {@code stride * roundUp(height, tileRows)} bytes.
 */
public final class IntelTiling {
    private IntelTiling() {}

    public static final int TILE_BYTES = 4096;

    /**
     * Where the byte at column {@code xBytes} (in bytes) of row {@code y} lies.
     *
     * @throws IllegalArgumentException for a modifier other than linear, X or Y
     */
    public static long offset(Modifier modifier, int stride, int xBytes, int y) {
        if (modifier.isLinear()) {
            return (long) y * stride + xBytes;
        }
        if (modifier.equals(Modifier.I915_X_TILED)) {
            long tile = (long) (y >> 3) * (stride >> 9) + (xBytes >> 9);
            return tile * TILE_BYTES + ((y & 7) << 9) + (xBytes & 511);
        }
        if (modifier.equals(Modifier.I915_Y_TILED)) {
            long tile = (long) (y >> 5) * (stride >> 7) + (xBytes >> 7);
            return tile * TILE_BYTES + (((xBytes & 127) >> 4) << 9) + ((y & 31) << 4) + (xBytes & 15);
        }
        throw new IllegalArgumentException("the simulation lays out LINEAR, I915_X_TILED and I915_Y_TILED only, not "
                + modifier);
    }

    /** Whether the simulation can lay memory out with this modifier. */
    public static boolean supported(Modifier modifier) {
        return modifier.isLinear() || modifier.equals(Modifier.I915_X_TILED) || modifier.equals(Modifier.I915_Y_TILED);
    }
}
