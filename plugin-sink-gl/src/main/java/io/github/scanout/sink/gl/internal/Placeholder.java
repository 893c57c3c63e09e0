package io.github.scanout.sink.gl.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The "no signal" screen, drawn on the CPU: a dark background, NO SIGNAL in large letters, the
 * device name and the reason in small ones (wrapped), and a thin frame so it is never mistaken
 * for a black guest screen.
 *
 * <p>Stateless and thread-safe.
 */
final class Placeholder {
    private Placeholder() {}

    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int BACKGROUND = 0xff14181c;
    static final int BORDER = 0xff3a4048;
    static final int TITLE = 0xffd0d4d8;
    static final int TEXT = 0xff8c949c;

    /**
     * The image, {@link #WIDTH} x {@link #HEIGHT} ARGB pixels.
     *
     * @param device device name for the second line (may be empty)
     * @param reason the one-line reason, wrapped to fit
     */
    static int[] render(String device, String reason) {
        int[] img = new int[WIDTH * HEIGHT];
        java.util.Arrays.fill(img, BACKGROUND);
        for (int x = 0; x < WIDTH; x++) {
            for (int t = 0; t < 2; t++) {
                img[t * WIDTH + x] = BORDER;
                img[(HEIGHT - 1 - t) * WIDTH + x] = BORDER;
            }
        }
        for (int y = 0; y < HEIGHT; y++) {
            for (int t = 0; t < 2; t++) {
                img[y * WIDTH + t] = BORDER;
                img[y * WIDTH + WIDTH - 1 - t] = BORDER;
            }
        }
        String title = "NO SIGNAL";
        int big = 8;
        int tw = TinyFont.width(title) * big;
        int y = 80;
        TinyFont.draw(img, WIDTH, HEIGHT, title, (WIDTH - tw) / 2, y, big, TITLE);
        y += TinyFont.HEIGHT * big + 30;
        int small = 2;
        int maxChars = (WIDTH - 40) / (TinyFont.ADVANCE * small);
        List<String> lines = new ArrayList<>();
        if (device != null && !device.isBlank()) {
            lines.add(device);
        }
        lines.addAll(wrap(reason == null ? "" : reason, maxChars));
        for (String line : lines) {
            if (y + TinyFont.HEIGHT * small > HEIGHT - 10) {
                break;
            }
            int lw = TinyFont.width(line) * small;
            TinyFont.draw(img, WIDTH, HEIGHT, line, (WIDTH - lw) / 2, y, small, TEXT);
            y += (TinyFont.HEIGHT + 4) * small;
        }
        return img;
    }

    static List<String> wrap(String text, int maxChars) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            while (word.length() > maxChars) {
                if (line.length() > 0) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                out.add(word.substring(0, maxChars));
                word = word.substring(maxChars);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > maxChars) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            out.add(line.toString());
        }
        return out;
    }
}
