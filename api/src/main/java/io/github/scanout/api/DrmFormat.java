package io.github.scanout.api;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A DRM fourcc pixel format ({@code drm_fourcc.h}), as a value.
 *
 * <p>Any 32-bit value can be held (the guest chooses it), but only the formats in the
 * {@linkplain #known() table} have a layout. {@link #toString()} prints the four
 * characters, for example {@code XR24}; unprintable codes print as hex.
 *
 * @param fourcc the little-endian fourcc code, for example {@code 0x34325258} for XR24
 */
public record DrmFormat(int fourcc) {

    /** How the bytes of one pixel (or of one 2-pixel group for packed YUV) are laid out. */
    public enum Layout {
        /** 32 bits per pixel, 8-bit channels. */
        RGB32,
        /** 24 bits per pixel, 8-bit channels. */
        RGB24,
        /** 16 bits per pixel, 5-6-5. */
        RGB565,
        /** 32 bits per pixel, 2-10-10-10. */
        RGB30,
        /** Packed 4:2:2 YUV: 4 bytes carry two pixels. */
        YUV422,
        /** One byte per pixel, an index into a palette the ABI does not carry. */
        INDEXED
    }

    /**
     * What the table knows about a format.
     *
     * @param name the DRM name, for example {@code XRGB8888}
     * @param bytesPerPixel bytes per pixel (2 for packed 4:2:2, whose groups are 2 pixels)
     * @param alpha whether one channel is alpha
     * @param channels the channels from the most significant bit of the little-endian pixel
     *     word down, as in the DRM name, for example {@code "XRGB"}; for YUV the byte order
     * @param layout the bit layout family
     */
    public record Spec(String name, int bytesPerPixel, boolean alpha, String channels, Layout layout) {}

    private static final Map<Integer, Spec> TABLE = new LinkedHashMap<>();
    /** The table as arrays, for lookups on the capture path without boxing the fourcc (filled by define). */
    private static int[] codes = new int[0];
    private static Spec[] specs = new Spec[0];

    /** {@code DRM_FORMAT_XRGB8888}. */
    public static final DrmFormat XRGB8888 = define("XR24", "XRGB8888", 4, false, "XRGB", Layout.RGB32);
    /** {@code DRM_FORMAT_ARGB8888}. */
    public static final DrmFormat ARGB8888 = define("AR24", "ARGB8888", 4, true, "ARGB", Layout.RGB32);
    /** {@code DRM_FORMAT_XBGR8888}. */
    public static final DrmFormat XBGR8888 = define("XB24", "XBGR8888", 4, false, "XBGR", Layout.RGB32);
    /** {@code DRM_FORMAT_ABGR8888}. */
    public static final DrmFormat ABGR8888 = define("AB24", "ABGR8888", 4, true, "ABGR", Layout.RGB32);
    /** {@code DRM_FORMAT_RGB888}. */
    public static final DrmFormat RGB888 = define("RG24", "RGB888", 3, false, "RGB", Layout.RGB24);
    /** {@code DRM_FORMAT_BGR888}. */
    public static final DrmFormat BGR888 = define("BG24", "BGR888", 3, false, "BGR", Layout.RGB24);
    /** {@code DRM_FORMAT_RGB565}. */
    public static final DrmFormat RGB565 = define("RG16", "RGB565", 2, false, "RGB", Layout.RGB565);
    /** {@code DRM_FORMAT_XRGB2101010}. */
    public static final DrmFormat XRGB2101010 = define("XR30", "XRGB2101010", 4, false, "XRGB", Layout.RGB30);
    /** {@code DRM_FORMAT_XBGR2101010}. */
    public static final DrmFormat XBGR2101010 = define("XB30", "XBGR2101010", 4, false, "XBGR", Layout.RGB30);
    /** {@code DRM_FORMAT_YUYV}. */
    public static final DrmFormat YUYV = define("YUYV", "YUYV", 2, false, "YUYV", Layout.YUV422);
    /** {@code DRM_FORMAT_UYVY}. */
    public static final DrmFormat UYVY = define("UYVY", "UYVY", 2, false, "UYVY", Layout.YUV422);
    /** {@code DRM_FORMAT_YVYU}. */
    public static final DrmFormat YVYU = define("YVYU", "YVYU", 2, false, "YVYU", Layout.YUV422);
    /** {@code DRM_FORMAT_VYUY}. */
    public static final DrmFormat VYUY = define("VYUY", "VYUY", 2, false, "VYUY", Layout.YUV422);
    /** {@code DRM_FORMAT_C8}. */
    public static final DrmFormat C8 = define("C8  ", "C8", 1, false, "C", Layout.INDEXED);

    private static DrmFormat define(String code, String name, int bpp, boolean alpha, String channels, Layout layout) {
        DrmFormat f = fromCode(code);
        Spec spec = new Spec(name, bpp, alpha, channels, layout);
        TABLE.put(f.fourcc, spec);
        codes = java.util.Arrays.copyOf(codes, codes.length + 1);
        specs = java.util.Arrays.copyOf(specs, specs.length + 1);
        codes[codes.length - 1] = f.fourcc;
        specs[specs.length - 1] = spec;
        return f;
    }

    /**
     * The format with these four characters.
     *
     * @param code four ASCII characters, for example {@code "XR24"} (pad with spaces: {@code "C8  "})
     * @return the format, known or not
     * @throws IllegalArgumentException when {@code code} is not four ASCII characters
     */
    public static DrmFormat fromCode(String code) {
        if (code.length() != 4) {
            throw new IllegalArgumentException("a fourcc has 4 characters, got '" + code + "'");
        }
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            char c = code.charAt(i);
            if (c > 0x7f) {
                throw new IllegalArgumentException("a fourcc is ASCII, got '" + code + "'");
            }
            v = (v << 8) | c;
        }
        return new DrmFormat(v);
    }

    /**
     * The known format whose fourcc characters or DRM name is given, ignoring case.
     *
     * @param text {@code XR24} or {@code XRGB8888}
     * @return the format, or empty when the table has no such format
     */
    public static Optional<DrmFormat> parse(String text) {
        for (Map.Entry<Integer, Spec> e : TABLE.entrySet()) {
            DrmFormat f = new DrmFormat(e.getKey());
            if (e.getValue().name().equalsIgnoreCase(text) || f.code().trim().equalsIgnoreCase(text.trim())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** {@return every format with a known layout, in table order} */
    public static Collection<DrmFormat> known() {
        return TABLE.keySet().stream().map(DrmFormat::new).toList();
    }

    /** {@return the table entry, or empty for a code Scanout does not know} */
    public Optional<Spec> spec() {
        return Optional.ofNullable(lookup(fourcc));
    }

    /** The table entry or null; a scan of a few ints, so that no Integer is boxed per call. */
    static Spec lookup(int fourcc) {
        int[] c = codes;
        for (int i = 0; i < c.length; i++) {
            if (c[i] == fourcc) {
                return specs[i];
            }
        }
        return null;
    }

    /** {@return whether the table knows this format} */
    public boolean isKnown() {
        return lookup(fourcc) != null;
    }

    /**
     * Bytes per pixel.
     *
     * @return bytes per pixel (2 for packed 4:2:2, whose groups are 2 pixels)
     * @throws IllegalStateException for an unknown format
     */
    public int bytesPerPixel() {
        Spec s = lookup(fourcc);
        if (s == null) {
            throw new IllegalStateException("unknown DRM format " + this);
        }
        return s.bytesPerPixel();
    }

    /** {@return the four characters, spaces included (C8 is {@code "C8  "})} */
    public String code() {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) ((fourcc >>> (8 * i)) & 0xff);
        }
        return new String(c);
    }

    /** Whether every character is printable ASCII. */
    private boolean printable() {
        for (int i = 0; i < 4; i++) {
            int c = (fourcc >>> (8 * i)) & 0xff;
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** {@return {@code XR24}, {@code C8}, or {@code 0x00000007} when not printable} */
    @Override
    public String toString() {
        return printable() ? code().trim() : String.format("0x%08x", fourcc);
    }

    static Map<Integer, Spec> table() {
        return Collections.unmodifiableMap(TABLE);
    }
}
