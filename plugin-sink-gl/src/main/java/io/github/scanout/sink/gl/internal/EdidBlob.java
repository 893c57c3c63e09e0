package io.github.scanout.sink.gl.internal;

import java.nio.charset.StandardCharsets;

/**
 * An EDID 1.4 base block (128 bytes) that offers one mode: a detailed timing descriptor for
 * {@code width x height} at 60 Hz with CVT reduced-blanking style blanking, marked preferred, plus
 * the monitor name "SCANOUT". This is what a guest's display driver reads to pick the mode the
 * window would like.
 *
 * <p>A detailed timing holds 12-bit sizes and a 16-bit pixel clock in 10 kHz units, so sizes are
 * 64..4095 and the refresh rate drops below 60 Hz where the clock would not fit.
 *
 * <p>Stateless and thread-safe.
 */
final class EdidBlob {
    private EdidBlob() {}

    static final int MIN = 64;
    static final int MAX = 4095;
    static final int H_BLANK = 160;
    static final int H_FRONT = 48;
    static final int H_SYNC = 32;
    static final int V_FRONT = 3;
    static final int V_SYNC = 6;
    static final int V_BLANK_MIN = 23;
    private static final long MAX_CLOCK_HZ = 65535L * 10_000L;

    /** The block for a mode; sizes are clamped to {@value #MIN}..{@value #MAX}. */
    static byte[] build(int width, int height) {
        int w = clamp(width);
        int h = clamp(height);
        byte[] b = new byte[128];
        int[] header = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) header[i];
        }
        int id = (('S' - '@') << 10) | (('C' - '@') << 5) | ('N' - '@'); // manufacturer "SCN"
        b[8] = (byte) (id >>> 8);
        b[9] = (byte) id;
        b[10] = 0x01; // product code
        b[16] = 1; // week
        b[17] = (byte) (2024 - 1990); // year
        b[18] = 1; // EDID 1.4
        b[19] = 4;
        b[20] = (byte) 0x80; // digital input
        int widthMm = Math.round(w * 25.4f / 96f); // sized as a 96 dpi screen
        int heightMm = Math.round(h * 25.4f / 96f);
        b[21] = (byte) Math.max(1, Math.min(255, Math.round(widthMm / 10f)));
        b[22] = (byte) Math.max(1, Math.min(255, Math.round(heightMm / 10f)));
        b[23] = (byte) 120; // gamma 2.2
        b[24] = 0x06; // sRGB default colour space, preferred timing is native
        chromaticity(b);
        for (int i = 38; i < 54; i++) {
            b[i] = 0x01; // standard timings: unused
        }
        detailedTiming(b, 54, w, h, widthMm, heightMm);
        name(b, 72, "SCANOUT");
        dummy(b, 90);
        dummy(b, 108);
        b[126] = 0; // no extension blocks
        b[127] = checksum(b);
        return b;
    }

    static int clamp(int v) {
        return Math.max(MIN, Math.min(MAX, v));
    }

    /** sRGB primaries and D65 white, 10-bit fractions. */
    private static void chromaticity(byte[] b) {
        int rx = frac(0.640), ry = frac(0.330), gx = frac(0.300), gy = frac(0.600);
        int bx = frac(0.150), by = frac(0.060), wx = frac(0.3127), wy = frac(0.3290);
        b[25] = (byte) (((rx & 3) << 6) | ((ry & 3) << 4) | ((gx & 3) << 2) | (gy & 3));
        b[26] = (byte) (((bx & 3) << 6) | ((by & 3) << 4) | ((wx & 3) << 2) | (wy & 3));
        b[27] = (byte) (rx >> 2);
        b[28] = (byte) (ry >> 2);
        b[29] = (byte) (gx >> 2);
        b[30] = (byte) (gy >> 2);
        b[31] = (byte) (bx >> 2);
        b[32] = (byte) (by >> 2);
        b[33] = (byte) (wx >> 2);
        b[34] = (byte) (wy >> 2);
    }

    private static int frac(double v) {
        return (int) Math.round(v * 1024);
    }

    /** The vertical blanking for a height: at least 460 us of lines at 60 Hz, and 23 lines. */
    static int verticalBlank(int height) {
        // line time = 1 / (60 * (h + vblank)); 460 us of lines -> vblank ~= 0.0276 * (h + vblank)
        int vb = (int) Math.ceil(0.0276 * height / (1 - 0.0276));
        return Math.max(V_BLANK_MIN, vb);
    }

    private static void detailedTiming(byte[] b, int o, int w, int h, int widthMm, int heightMm) {
        int vBlank = verticalBlank(h);
        long total = (long) (w + H_BLANK) * (h + vBlank);
        int refresh = 60;
        while (refresh > 1 && total * refresh > MAX_CLOCK_HZ) {
            refresh--;
        }
        int clock = (int) ((total * refresh + 5_000) / 10_000); // 10 kHz units
        b[o] = (byte) clock;
        b[o + 1] = (byte) (clock >>> 8);
        b[o + 2] = (byte) w;
        b[o + 3] = (byte) H_BLANK;
        b[o + 4] = (byte) (((w >>> 8) & 0xf) << 4 | ((H_BLANK >>> 8) & 0xf));
        b[o + 5] = (byte) h;
        b[o + 6] = (byte) vBlank;
        b[o + 7] = (byte) (((h >>> 8) & 0xf) << 4 | ((vBlank >>> 8) & 0xf));
        b[o + 8] = (byte) H_FRONT;
        b[o + 9] = (byte) H_SYNC;
        b[o + 10] = (byte) (((V_FRONT & 0xf) << 4) | (V_SYNC & 0xf));
        b[o + 11] = (byte) ((((H_FRONT >>> 8) & 3) << 6) | (((H_SYNC >>> 8) & 3) << 4) | (((V_FRONT >>> 4) & 3) << 2)
                | ((V_SYNC >>> 4) & 3));
        int wmm = Math.min(4095, widthMm);
        int hmm = Math.min(4095, heightMm);
        b[o + 12] = (byte) wmm;
        b[o + 13] = (byte) hmm;
        b[o + 14] = (byte) (((wmm >>> 8) & 0xf) << 4 | ((hmm >>> 8) & 0xf));
        b[o + 15] = 0;
        b[o + 16] = 0;
        b[o + 17] = 0x1a; // digital separate sync, hsync +, vsync - (reduced blanking)
    }

    private static void name(byte[] b, int o, String text) {
        b[o + 3] = (byte) 0xfc;
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        int i = 0;
        for (; i < 13 && i < t.length; i++) {
            b[o + 5 + i] = t[i];
        }
        if (i < 13) {
            b[o + 5 + i++] = 0x0a;
        }
        for (; i < 13; i++) {
            b[o + 5 + i] = 0x20;
        }
    }

    private static void dummy(byte[] b, int o) {
        b[o + 3] = 0x10;
    }

    static byte checksum(byte[] b) {
        int sum = 0;
        for (int i = 0; i < 127; i++) {
            sum += b[i] & 0xff;
        }
        return (byte) -sum;
    }

    /** The preferred mode's width and height as a detailed timing decoder reads them: {w, h}; {0, 0} for no blob. */
    static int[] preferredMode(byte[] edid) {
        if (edid.length < 128) {
            return new int[] {0, 0};
        }
        int o = 54;
        int w = (edid[o + 2] & 0xff) | ((edid[o + 4] & 0xf0) << 4);
        int h = (edid[o + 5] & 0xff) | ((edid[o + 7] & 0xf0) << 4);
        return new int[] {w, h};
    }
}
