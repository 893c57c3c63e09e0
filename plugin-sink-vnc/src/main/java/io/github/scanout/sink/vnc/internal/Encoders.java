package io.github.scanout.sink.vnc.internal;

import java.io.ByteArrayOutputStream;

/**
 * The rectangle encodings this server writes, as pure functions of pixels and pixel format so
 * that viewers with equal settings can share the result ({@link Screen#cache}).
 *
 * <p>ZRLE here is the bytes before zlib: each viewer's connection runs its own zlib stream over
 * them ({@link Viewer}), as RFB requires one stream per connection.
 *
 * <p>Stateless; any thread.
 */
final class Encoders {
    private Encoders() {}

    /** Raw: every pixel in the client's format, row after row. */
    static byte[] raw(int[] argb, PixelFormat f) {
        int bpp = f.bytesPerPixel();
        byte[] out = new byte[argb.length * bpp];
        int o = 0;
        for (int p : argb) {
            o = f.put(out, o, f.pixel(p));
        }
        return out;
    }

    /**
     * ZRLE's tile data before compression: 64x64 tiles left to right, top to bottom, each solid
     * (one colour), packed palette (2 to 16 colours) or raw, whichever the tile allows, with
     * compact pixels.
     */
    static byte[] zrle(int[] argb, int width, int height, PixelFormat f) {
        int cb = f.compactBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream(argb.length * cb / 4 + 64);
        byte[] buf = new byte[1 + 64 * 64 * cb + 16 * cb];
        int[] values = new int[64 * 64];
        int[] palette = new int[16];
        for (int ty = 0; ty < height; ty += 64) {
            int th = Math.min(64, height - ty);
            for (int tx = 0; tx < width; tx += 64) {
                int tw = Math.min(64, width - tx);
                int n = 0;
                int colours = 0;
                for (int y = 0; y < th; y++) {
                    int row = (ty + y) * width + tx;
                    for (int x = 0; x < tw; x++) {
                        int v = f.pixel(argb[row + x]);
                        values[n++] = v;
                        if (colours <= 16 && indexOf(palette, colours, v) < 0) {
                            if (colours < 16) {
                                palette[colours] = v;
                            }
                            colours++;
                        }
                    }
                }
                int o = 0;
                if (colours == 1) {
                    buf[o++] = 1;
                    o = f.putCompact(buf, o, palette[0]);
                } else if (colours <= 16) {
                    buf[o++] = (byte) colours;
                    for (int i = 0; i < colours; i++) {
                        o = f.putCompact(buf, o, palette[i]);
                    }
                    int bits = colours == 2 ? 1 : colours <= 4 ? 2 : 4;
                    for (int y = 0; y < th; y++) {
                        int acc = 0;
                        int used = 0;
                        for (int x = 0; x < tw; x++) {
                            acc = (acc << bits) | indexOf(palette, colours, values[y * tw + x]);
                            used += bits;
                            if (used == 8) {
                                buf[o++] = (byte) acc;
                                acc = 0;
                                used = 0;
                            }
                        }
                        if (used > 0) {
                            buf[o++] = (byte) (acc << (8 - used));
                        }
                    }
                } else {
                    buf[o++] = 0;
                    for (int i = 0; i < n; i++) {
                        o = f.putCompact(buf, o, values[i]);
                    }
                }
                out.write(buf, 0, o);
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(int[] palette, int n, int v) {
        for (int i = 0; i < Math.min(n, 16); i++) {
            if (palette[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
