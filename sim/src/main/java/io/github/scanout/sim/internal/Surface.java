package io.github.scanout.sim.internal;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;

/**
 * Pixels of one plane as the guest lays them out: a format, a modifier (linear, X- or
 * Y-tiled), a size and a stride, at an offset inside device memory. Reading and writing go
 * through {@link PixelCodec} and {@link IntelTiling}, so what lands in memory is exactly what a
 * consumer must decode.
 *
 * <p>Threads: not synchronized; the models call it under their device lock.
 */
public final class Surface {
    private final SimMemory memory;
    private final long offset;
    private final DrmFormat format;
    private final Modifier modifier;
    private final int width;
    private final int height;
    private final int stride;
    private final int bpp;
    private final boolean yuv;

    public Surface(SimMemory memory, long offset, DrmFormat format, Modifier modifier, int width, int height, int stride) {
        if (!format.isKnown()) {
            throw new IllegalArgumentException("unknown format " + format);
        }
        if (!IntelTiling.supported(modifier)) {
            throw new IllegalArgumentException("unsupported modifier " + modifier);
        }
        this.memory = memory;
        this.offset = offset;
        this.format = format;
        this.modifier = modifier;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.bpp = format.bytesPerPixel();
        this.yuv = PixelCodec.isYuv422(format);
        if (offset < 0 || offset + PlaneInfo.requiredBytes(format, modifier, width, height, stride) > memory.size()) {
            throw new IllegalArgumentException("surface " + width + "x" + height + " stride " + stride + " at offset "
                    + offset + " does not fit in " + memory);
        }
    }

    public SimMemory memory() {
        return memory;
    }

    public long offset() {
        return offset;
    }

    public DrmFormat format() {
        return format;
    }

    public Modifier modifier() {
        return modifier;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int stride() {
        return stride;
    }

    private int addr(int xBytes, int y) {
        return (int) (offset + IntelTiling.offset(modifier, stride, xBytes, y));
    }

    /** Fills a rectangle, clipped to the surface. */
    public void fillRect(int x, int y, int w, int h, int argb) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = (int) Math.min(width, (long) x + w);
        int y1 = (int) Math.min(height, (long) y + h);
        if (x0 >= x1 || y0 >= y1) {
            return;
        }
        ByteBuffer buf = memory.buffer();
        if (modifier.isLinear() && bpp == 4 && !yuv) {
            int[] row = new int[x1 - x0];
            Arrays.fill(row, PixelCodec.encode(format, argb));
            IntBuffer ints = buf.asIntBuffer();
            for (int yy = y0; yy < y1; yy++) {
                int a = addr(x0 * 4, yy);
                if (a % 4 == 0) {
                    ints.put(a / 4, row);
                } else {
                    for (int xx = 0; xx < row.length; xx++) {
                        buf.putInt(a + xx * 4, row[xx]);
                    }
                }
            }
            return;
        }
        for (int yy = y0; yy < y1; yy++) {
            for (int xx = x0; xx < x1; xx++) {
                put(buf, xx, yy, argb);
            }
        }
    }

    public void setPixel(int x, int y, int argb) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") is outside " + width + "x" + height);
        }
        put(memory.buffer(), x, y, argb);
    }

    public int getPixel(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") is outside " + width + "x" + height);
        }
        return get(memory.buffer(), x, y);
    }

    /** Every pixel as 0xAARRGGBB, row by row. */
    public int[] readAll() {
        ByteBuffer buf = memory.buffer();
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = get(buf, x, y);
            }
        }
        return out;
    }

    private void put(ByteBuffer buf, int x, int y, int argb) {
        if (yuv) {
            int[] order = PixelCodec.yuvOrder(format);
            int[] c = PixelCodec.toYuv(argb);
            int group = (x / 2) * 4;
            buf.put(addr(group + order[(x & 1) * 2], y), (byte) c[0]);
            buf.put(addr(group + order[1], y), (byte) c[1]);
            buf.put(addr(group + order[3], y), (byte) c[2]);
            return;
        }
        int v = PixelCodec.encode(format, argb);
        int xb = x * bpp;
        switch (bpp) {
            case 4 -> buf.putInt(addr(xb, y), v);
            case 2 -> buf.putShort(addr(xb, y), (short) v);
            case 1 -> buf.put(addr(xb, y), (byte) v);
            default -> {
                for (int i = 0; i < bpp; i++) { // 24-bit pixels may straddle a tile column
                    buf.put(addr(xb + i, y), (byte) (v >>> (8 * i)));
                }
            }
        }
    }

    private int get(ByteBuffer buf, int x, int y) {
        if (yuv) {
            int[] order = PixelCodec.yuvOrder(format);
            int group = (x / 2) * 4;
            int yy = buf.get(addr(group + order[(x & 1) * 2], y)) & 0xff;
            int u = buf.get(addr(group + order[1], y)) & 0xff;
            int v = buf.get(addr(group + order[3], y)) & 0xff;
            return PixelCodec.fromYuv(yy, u, v);
        }
        int xb = x * bpp;
        int v = switch (bpp) {
            case 4 -> buf.getInt(addr(xb, y));
            case 2 -> buf.getShort(addr(xb, y)) & 0xffff;
            case 1 -> buf.get(addr(xb, y)) & 0xff;
            default -> {
                int w = 0;
                for (int i = 0; i < bpp; i++) {
                    w |= (buf.get(addr(xb + i, y)) & 0xff) << (8 * i);
                }
                yield w;
            }
        };
        return PixelCodec.decode(format, v);
    }

    @Override
    public String toString() {
        return format + " " + modifier + " " + width + "x" + height + " stride " + stride + " at " + offset + " of "
                + memory.name();
    }
}
