package io.github.scanout.sim.internal;

/**
 * The animated test picture: eight colour bars over the top two thirds, a box that moves 8
 * pixels to the right per frame across the bottom third, and the frame number in 3x5-pixel
 * digits (scaled to the height) in the top-left corner on black.
 */
public final class TestPattern {
    private TestPattern() {}

    /** White, yellow, cyan, green, magenta, red, blue, black. */
    public static final int[] BARS = {
        0xffffffff, 0xffffff00, 0xff00ffff, 0xff00ff00, 0xffff00ff, 0xffff0000, 0xff0000ff, 0xff000000
    };
    public static final int BOTTOM = 0xff202020;
    public static final int BOX = 0xffff8000;
    public static final int DIGIT = 0xffffffff;
    public static final int DIGIT_BACKGROUND = 0xff000000;

    private static final String[] FONT = {
        "111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
        "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111"
    };

    /** Draws frame {@code frame} (0 or more) on {@code s}. */
    public static void draw(Surface s, long frame) {
        int w = s.width();
        int h = s.height();
        int barsH = Math.max(1, h * 2 / 3);
        for (int i = 0; i < BARS.length; i++) {
            int x0 = w * i / BARS.length;
            int x1 = w * (i + 1) / BARS.length;
            s.fillRect(x0, 0, x1 - x0, barsH, BARS[i]);
        }
        s.fillRect(0, barsH, w, h - barsH, BOTTOM);
        int box = Math.max(1, Math.min(h - barsH, Math.max(8, h / 8)));
        int travel = Math.max(1, w - box);
        int boxX = (int) ((frame * 8) % travel);
        s.fillRect(boxX, barsH + Math.max(0, (h - barsH - box) / 2), box, box, BOX);
        drawNumber(s, Math.max(0, frame), Math.max(1, h / 96));
    }

    /** Where the moving box starts in frame {@code frame} on a surface {@code width} wide and {@code height} high. */
    public static int boxX(int width, int height, long frame) {
        int barsH = Math.max(1, height * 2 / 3);
        int box = Math.max(1, Math.min(height - barsH, Math.max(8, height / 8)));
        return (int) ((frame * 8) % Math.max(1, width - box));
    }

    private static void drawNumber(Surface s, long n, int scale) {
        String text = Long.toString(n);
        int cell = 4 * scale;
        s.fillRect(0, 0, text.length() * cell + scale, 7 * scale, DIGIT_BACKGROUND);
        for (int i = 0; i < text.length(); i++) {
            String glyph = FONT[text.charAt(i) - '0'];
            for (int row = 0; row < 5; row++) {
                for (int col = 0; col < 3; col++) {
                    if (glyph.charAt(row * 3 + col) == '1') {
                        s.fillRect(scale + i * cell + col * scale, scale + row * scale, scale, scale, DIGIT);
                    }
                }
            }
        }
    }

    /** An arrow pointer with its tip at (0, 0): white with a black edge on transparent. */
    public static void drawCursor(Surface s) {
        int w = s.width();
        int h = s.height();
        s.fillRect(0, 0, w, h, 0x00000000);
        int len = Math.min(w, h) * 3 / 4;
        for (int y = 0; y < len; y++) {
            for (int x = 0; x <= y && x < w / 2; x++) {
                boolean edge = x == 0 || x == y || y == len - 1 || x == w / 2 - 1;
                s.setPixel(x, y, edge ? 0xff000000 : 0xffffffff);
            }
        }
    }
}
