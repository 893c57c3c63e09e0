package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * CPU detiling of Intel X- and Y-tiled surfaces into linear rows, so CPU sinks can show tiled
 * buffers without a GPU.
 *
 * <p>A tiled surface is cut into 4 KiB tiles stored tile row after tile row, {@code stride /
 * tileWidth} tiles per tile row:
 * <ul>
 *   <li><b>X</b> ({@code I915_FORMAT_MOD_X_TILED}): a tile is 512 bytes by 8 rows, stored
 *       row-major: byte {@code x} of row {@code y} inside the tile is at {@code y * 512 + x}.</li>
 *   <li><b>Y</b> ({@code I915_FORMAT_MOD_Y_TILED}): a tile is 128 bytes by 32 rows made of eight
 *       16-byte-wide OWord columns, each column's 32 rows stored one after another: byte
 *       {@code x} of row {@code y} inside the tile is at {@code (x / 16) * 512 + y * 16 + x % 16}.</li>
 * </ul>
 * Assumption: no bit-6 address swizzling. Gen9+ hardware (everything GVT-g supports) does not
 * swizzle, and the kernel does not tell user space about swizzling of dma-bufs anyway. Yf tiling
 * is not detiled (its layout depends on the pixel size): such buffers go to importers.
 *
 * <p>Stateless and thread-safe.
 */
final class Detiler {
    private Detiler() {}

    static final int TILE_BYTES = 4096;

    /** Whether {@link #detile} handles this modifier. */
    static boolean supports(Modifier modifier) {
        return modifier.equals(Modifier.I915_X_TILED) || modifier.equals(Modifier.I915_Y_TILED);
    }

    /**
     * Copies {@code height} rows of {@code rowBytes} bytes each out of a tiled surface into linear
     * rows of {@code dst}, {@code dstStride} bytes apart. Uses absolute indices: positions and
     * limits of both buffers are ignored and left alone.
     *
     * @param src the tiled surface from index 0, at least {@code stride * roundUp(height, tileRows)} bytes
     * @param stride bytes per tile row of the surface: a multiple of the tile width
     * @throws IllegalArgumentException for another modifier or a layout the buffers cannot hold
     */
    static void detile(Modifier modifier, ByteBuffer src, int stride, int rowBytes, int height, ByteBuffer dst,
            int dstStride) {
        if (!supports(modifier)) {
            throw new IllegalArgumentException("the CPU detiler handles I915_X_TILED and I915_Y_TILED, not " + modifier);
        }
        int tileWidth = modifier.tileWidthBytes();
        int tileRows = modifier.tileRows();
        if (stride <= 0 || stride % tileWidth != 0) {
            throw new IllegalArgumentException("a " + modifier + " stride is a positive multiple of " + tileWidth
                    + ", got " + stride);
        }
        if (rowBytes <= 0 || rowBytes > stride || height <= 0 || dstStride < rowBytes) {
            throw new IllegalArgumentException("cannot detile " + height + " rows of " + rowBytes + " bytes with stride "
                    + stride + " into rows " + dstStride + " bytes apart");
        }
        long srcNeeded = (long) stride * ((height + tileRows - 1) / tileRows * (long) tileRows);
        long dstNeeded = (long) dstStride * (height - 1) + rowBytes;
        if (src.capacity() < srcNeeded || dst.capacity() < dstNeeded) {
            throw new IllegalArgumentException("a " + modifier + " surface of " + height + " rows, stride " + stride
                    + " needs " + srcNeeded + " source bytes (has " + src.capacity() + ") and " + dstNeeded
                    + " destination bytes (has " + dst.capacity() + ")");
        }
        ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer d = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int tilesPerRow = stride / tileWidth;
        if (modifier.equals(Modifier.I915_X_TILED)) {
            detileX(s, tilesPerRow, rowBytes, height, d, dstStride);
        } else {
            detileY(s, tilesPerRow, rowBytes, height, d, dstStride);
        }
    }

    /** X: each row of a tile is 512 contiguous bytes; one bulk copy per tile per row. */
    private static void detileX(ByteBuffer s, int tilesPerRow, int rowBytes, int height, ByteBuffer d, int dstStride) {
        for (int y = 0; y < height; y++) {
            int rowBase = (y >>> 3) * tilesPerRow * TILE_BYTES + ((y & 7) << 9);
            int out = y * dstStride;
            for (int x = 0, tile = 0; x < rowBytes; x += 512, tile++) {
                d.put(out + x, s, rowBase + tile * TILE_BYTES, Math.min(512, rowBytes - x));
            }
        }
    }

    /** Y: each row of a tile is eight 16-byte OWords, 512 bytes apart; two 8-byte moves per OWord. */
    private static void detileY(ByteBuffer s, int tilesPerRow, int rowBytes, int height, ByteBuffer d, int dstStride) {
        int fullOwords = rowBytes >>> 4;
        int tail = rowBytes & 15;
        for (int y = 0; y < height; y++) {
            int rowBase = (y >>> 5) * tilesPerRow * TILE_BYTES + ((y & 31) << 4);
            int out = y * dstStride;
            for (int c = 0; c < fullOwords; c++) {
                int from = rowBase + (c >>> 3) * TILE_BYTES + ((c & 7) << 9);
                int to = out + (c << 4);
                d.putLong(to, s.getLong(from));
                d.putLong(to + 8, s.getLong(from + 8));
            }
            if (tail != 0) {
                int c = fullOwords;
                d.put(out + (c << 4), s, rowBase + (c >>> 3) * TILE_BYTES + ((c & 7) << 9), tail);
            }
        }
    }
}
