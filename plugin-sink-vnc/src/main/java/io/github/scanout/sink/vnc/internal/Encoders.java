package io.github.scanout.sink.vnc.internal;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The rectangle encodings this server writes, as pure functions of pixels and pixel format so
 * that viewers with equal settings can share the result ({@link Screen#cache}).
 *
 * <p>ZRLE here is the bytes before zlib: each viewer's connection runs its own zlib stream over
 * them ({@link Viewer}), as RFB requires one stream per connection.
 *
 * <p>Tight here is a plan of sub-rectangles ({@link #tight}): fills and JPEG pictures are final
 * bytes, shareable by every viewer; the zlib-compressed kinds carry their bytes before zlib,
 * which each viewer runs through its own four Tight streams.
 *
 * <p>Stateless; any thread.
 */
final class Encoders {
    private Encoders() {}

    /** Tight sub-rectangles are at most this wide (the protocol's limit) ... */
    static final int TIGHT_MAX_WIDTH = 2048;
    /** ... and hold at most this many pixels (so every length fits Tight's 22-bit compact length). */
    static final int TIGHT_MAX_PIXELS = 65536;
    /** Tight's zlib streams this server uses: full colour, two-colour palette, larger palette. */
    static final int STREAM_FULL = 0;
    static final int STREAM_MONO = 1;
    static final int STREAM_INDEXED = 2;
    /** Data shorter than this is sent without zlib (the protocol's rule). */
    static final int TIGHT_MIN_TO_COMPRESS = 12;
    /** JPEG quality (0 to 100) for the client's quality levels 0 to 9. */
    private static final int[] JPEG_QUALITY = {15, 25, 35, 45, 55, 65, 75, 82, 90, 95};
    /** In a plan: bytes written as they are after the rectangle header (fill, JPEG). */
    static final int PART_LITERAL = 0;
    /** In a plan: a header, then data that goes through the viewer's zlib stream. */
    static final int PART_ZLIB = 1;

    /** JPEG quality for a Tight quality level (0 to 9). */
    static int jpegQuality(int level) {
        return JPEG_QUALITY[Math.max(0, Math.min(9, level))];
    }

    /**
     * Tight's plan for a rectangle: the rectangle cut into pieces the protocol allows, each
     * encoded as a fill (one colour), a palette (2 to 256 colours, zlib), JPEG (when
     * {@code jpegLevel >= 0} and the pixel format has 32 bits per pixel) or full colour (zlib).
     * The gradient filter is not used.
     *
     * <p>Plan layout, piece after piece: x, y, w, h (u16 each, relative to the rectangle), the
     * kind (u8); for {@link #PART_LITERAL} a u32 length and the bytes; for {@link #PART_ZLIB}
     * the stream (u8), a u32 header length, the header (control byte, filter, palette), a u32
     * data length and the data before zlib.
     */
    static byte[] tight(int[] argb, int width, int height, PixelFormat f, int jpegLevel) {
        ByteArrayOutputStream plan = new ByteArrayOutputStream(width * height + 64);
        boolean jpeg = jpegLevel >= 0 && f.bitsPerPixel() == 32;
        int tile = Screen.TILE;
        for (int py = 0; py < height; py += tile) {
            int h = Math.min(tile, height - py);
            // classify the band's 64x64 tiles, then send runs of like tiles as one piece
            int runStart = -1;
            int runKind = 0;
            int runColour = 0;
            for (int px = 0; px < width + tile; px += tile) {
                px = Math.min(px, width); // one last step at the right edge ends the last run
                int kind = -1;
                int colour = 0;
                Palette palette = null;
                int w = Math.min(tile, width - px);
                int[] values = null;
                if (px < width) {
                    values = new int[w * h];
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            values[y * w + x] = f.pixel(argb[(py + y) * width + px + x]);
                        }
                    }
                    palette = Palette.of(values, paletteLimit(w * h, jpeg));
                    kind = palette == null ? 2 : palette.size == 1 ? 0 : 1;
                    colour = palette == null ? 0 : palette.colours[0];
                }
                boolean extends_ = runStart >= 0 && kind == runKind && kind != 1 && (kind != 0 || colour == runColour)
                        && px + w - runStart <= TIGHT_MAX_WIDTH && (px + w - runStart) * h <= TIGHT_MAX_PIXELS;
                if (runStart >= 0 && !extends_) {
                    int rw = px - runStart;
                    int[] piece = new int[rw * h];
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(argb, (py + y) * width + runStart, piece, y * rw, rw);
                    }
                    tightPiece(plan, runStart, py, piece, rw, h, f, jpegLevel);
                    runStart = -1;
                }
                if (kind == 1) {
                    tightPalette(plan, px, py, values, w, h, palette, f);
                } else if (kind >= 0 && runStart < 0) {
                    runStart = px;
                    runKind = kind;
                    runColour = colour;
                }
                if (px == width) {
                    break;
                }
            }
        }
        return plan.toByteArray();
    }

    private static int paletteLimit(int n, boolean jpeg) {
        // a palette pays when it is small against the pixels; with JPEG on, only for few colours
        return Math.max(1, jpeg ? Math.min(24, n / 4) : Math.min(256, n / 2));
    }

    private static void tightPiece(ByteArrayOutputStream plan, int x, int y, int[] argb, int w, int h, PixelFormat f,
            int jpegLevel) {
        int n = w * h;
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = f.pixel(argb[i]);
        }
        boolean jpeg = jpegLevel >= 0 && f.bitsPerPixel() == 32;
        Palette palette = Palette.of(values, paletteLimit(n, jpeg));
        u16(plan, x);
        u16(plan, y);
        u16(plan, w);
        u16(plan, h);
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        if (palette != null && palette.size == 1) {
            plan.write(PART_LITERAL);
            part.write(0x80); // fill
            tpixel(part, palette.colours[0], f);
            u32(plan, part.size());
            plan.writeBytes(part.toByteArray());
        } else if (palette != null) {
            tightPalette(plan, -1, -1, values, w, h, palette, f);
        } else if (jpeg) {
            plan.write(PART_LITERAL);
            byte[] j = jpeg(argb, w, h, jpegQuality(jpegLevel));
            part.write(0x90);
            compactLength(part, j.length);
            part.writeBytes(j);
            u32(plan, part.size());
            plan.writeBytes(part.toByteArray());
        } else {
            ByteArrayOutputStream data = new ByteArrayOutputStream(n * 3);
            for (int v : values) {
                tpixel(data, v, f);
            }
            zlibPart(plan, STREAM_FULL, new byte[] {(byte) (STREAM_FULL << 4)}, data.toByteArray());
        }
    }

    /** A palette piece (2 to 256 colours); x, y -1 when the header is already in the plan. */
    private static void tightPalette(ByteArrayOutputStream plan, int x, int y, int[] values, int w, int h,
            Palette palette, PixelFormat f) {
        if (x >= 0) {
            u16(plan, x);
            u16(plan, y);
            u16(plan, w);
            u16(plan, h);
        }
        int n = w * h;
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        int size = palette.size;
        part.write(0x40 | ((size == 2 ? STREAM_MONO : STREAM_INDEXED) << 4)); // basic, filter id follows
        part.write(1); // palette filter
        part.write(size - 1);
        for (int i = 0; i < size; i++) {
            tpixel(part, palette.colours[i], f);
        }
        byte[] data;
        if (size == 2) {
            int row = (w + 7) / 8;
            data = new byte[row * h];
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    if (palette.index(values[yy * w + xx]) == 1) {
                        data[yy * row + xx / 8] |= (byte) (0x80 >>> (xx % 8));
                    }
                }
            }
        } else {
            data = new byte[n];
            for (int i = 0; i < n; i++) {
                data[i] = (byte) palette.index(values[i]);
            }
        }
        zlibPart(plan, size == 2 ? STREAM_MONO : STREAM_INDEXED, part.toByteArray(), data);
    }

    private static void zlibPart(ByteArrayOutputStream plan, int stream, byte[] header, byte[] data) {
        plan.write(PART_ZLIB);
        plan.write(stream);
        u32(plan, header.length);
        plan.writeBytes(header);
        u32(plan, data.length);
        plan.writeBytes(data);
    }

    /** Tight's pixel: R, G, B bytes for 32-bit depth-24 formats with 8-bit channels, else the client's pixel. */
    private static void tpixel(ByteArrayOutputStream out, int value, PixelFormat f) {
        if (f.bitsPerPixel() == 32 && f.depth() == 24 && f.redMax() == 255 && f.greenMax() == 255 && f.blueMax() == 255) {
            out.write(value >>> f.redShift());
            out.write(value >>> f.greenShift());
            out.write(value >>> f.blueShift());
        } else {
            byte[] b = new byte[4];
            int len = f.put(b, 0, value);
            out.write(b, 0, len);
        }
    }

    /** Tight's compact length: 7 bits a byte, low bits first, at most 3 bytes (22 bits). */
    static void compactLength(ByteArrayOutputStream out, int len) {
        if (len < 0 || len >= 1 << 22) {
            throw new IllegalArgumentException("Tight length " + len + " does not fit 22 bits");
        }
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x4000) {
            out.write(0x80 | (len & 0x7f));
            out.write(len >>> 7);
        } else {
            out.write(0x80 | (len & 0x7f));
            out.write(0x80 | ((len >>> 7) & 0x7f));
            out.write(len >>> 14);
        }
    }

    /** One JDK JPEG writer per thread, reset after each picture (looking one up per picture is slow). */
    private static final ThreadLocal<ImageWriter> JPEG_WRITER = ThreadLocal.withInitial(() -> {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("the JDK has no JPEG writer (javax.imageio)");
        }
        return writers.next();
    });

    /** A baseline JFIF of the pixels at the given quality (0 to 100), by the JDK's JPEG writer. */
    static byte[] jpeg(int[] argb, int w, int h, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(argb, 0, dst, 0, w * h);
        ImageWriter writer = JPEG_WRITER.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream(w * h / 4 + 1024);
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.reset();
        }
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** The distinct colours of some pixels, when there are at most a limit of them. */
    static final class Palette {
        final int[] colours;
        final int size;
        private final int[] keys;
        private final int[] slots;
        private final boolean[] used;

        private Palette(int[] colours, int size, int[] keys, int[] slots, boolean[] used) {
            this.colours = colours;
            this.size = size;
            this.keys = keys;
            this.slots = slots;
            this.used = used;
        }

        /** The palette, or null when there are more than {@code limit} colours. */
        static Palette of(int[] values, int limit) {
            int cap = Integer.highestOneBit(Math.max(4, limit * 4)) << 1;
            int[] keys = new int[cap];
            int[] slots = new int[cap];
            boolean[] used = new boolean[cap];
            int[] colours = new int[limit];
            int size = 0;
            for (int v : values) {
                int i = hash(v) & (cap - 1);
                while (used[i] && keys[i] != v) {
                    i = (i + 1) & (cap - 1);
                }
                if (!used[i]) {
                    if (size == limit) {
                        return null;
                    }
                    used[i] = true;
                    keys[i] = v;
                    slots[i] = size;
                    colours[size++] = v;
                }
            }
            return new Palette(colours, size, keys, slots, used);
        }

        int index(int v) {
            int cap = keys.length;
            int i = hash(v) & (cap - 1);
            while (used[i] && keys[i] != v) {
                i = (i + 1) & (cap - 1);
            }
            return slots[i];
        }

        private static int hash(int v) {
            int h = v * 0x9e3779b1;
            return h ^ (h >>> 15);
        }
    }

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
