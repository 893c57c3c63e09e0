package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DrmFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The pixman formats QEMU's D-Bus display sends ({@code Scanout}/{@code Update} carry
 * {@code pixman_format_code_t}) that Scanout shows, each with the DRM fourcc of the same memory
 * layout. A pixman code is {@code bpp << 24 | type << 16 | a << 12 | r << 8 | g << 4 | b}
 * (type 2 = ARGB, 3 = ABGR), its channels packed in one native-endian word; DRM's fourccs are
 * little-endian words too, so on the little-endian hosts Scanout runs on (x86_64, aarch64)
 * {@code x8r8g8b8} is byte for byte {@code XRGB8888} (B, G, R, X in memory). Anything else
 * (8-bit palettes, 15-bit, YUV) is refused.
 */
final class PixmanFormat {

    /** pixman code to DRM format, in the order the refusal lists them. */
    private static final Map<Long, DrmFormat> KNOWN = new LinkedHashMap<>();
    private static final Map<Long, String> NAMES = new LinkedHashMap<>();

    static {
        put(0x20020888L, "x8r8g8b8", DrmFormat.XRGB8888);
        put(0x20028888L, "a8r8g8b8", DrmFormat.ARGB8888);
        put(0x20030888L, "x8b8g8r8", DrmFormat.XBGR8888);
        put(0x20038888L, "a8b8g8r8", DrmFormat.ABGR8888);
        put(0x18020888L, "r8g8b8", DrmFormat.RGB888);
        put(0x18030888L, "b8g8r8", DrmFormat.BGR888);
        put(0x10020565L, "r5g6b5", DrmFormat.RGB565);
        put(0x20020aaaL, "x2r10g10b10", DrmFormat.XRGB2101010);
        put(0x20030aaaL, "x2b10g10r10", DrmFormat.XBGR2101010);
    }

    private PixmanFormat() {}

    private static void put(long code, String name, DrmFormat drm) {
        KNOWN.put(code, drm);
        NAMES.put(code, name);
    }

    /** The DRM format of a pixman code, empty when Scanout does not show it. */
    static Optional<DrmFormat> drm(long pixman) {
        return Optional.ofNullable(KNOWN.get(pixman));
    }

    /** {@code 0x20020888 (x8r8g8b8)}, or just the hex for an unknown code. */
    static String describe(long pixman) {
        String name = NAMES.get(pixman);
        return "0x" + Long.toHexString(pixman) + (name == null ? "" : " (" + name + ")");
    }

    /** The accepted codes, for a refusal. */
    static String accepted() {
        StringBuilder b = new StringBuilder();
        for (Long code : KNOWN.keySet()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(describe(code));
        }
        return b.toString();
    }
}
