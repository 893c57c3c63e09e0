package io.github.scanout.bench;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A realistic desktop-like XRGB8888 frame, not a flat colour: a title bar, SMPTE-like colour
 * bars, a horizontal and a vertical gradient, a "video" region of noise (incompressible), and
 * a "terminal" of text-like glyph detail on a dark background. The same bytes every run (fixed
 * seed), so results compare across machines.
 */
public final class TestPattern {
    private TestPattern() {}

    /** The plane description: XRGB8888, linear, stride = width x 4. */
    public static PlaneInfo plane(int width, int height) {
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888, Modifier.LINEAR, width, height,
                width * 4, (long) width * height * 4, 0, 0, Optional.empty(), 1);
    }

    /** The frame's bytes (little-endian XRGB8888: B, G, R, X in memory). */
    public static ByteBuffer xrgb8888(int width, int height) {
        int[] px = argb(width, height);
        ByteBuffer b = ByteBuffer.allocate(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int p : px) {
            b.putInt(p & 0x00ffffff); // X byte 0, as guests usually leave it
        }
        return b.flip();
    }

    /** The same frame as opaque ARGB ints (for BufferedImage TYPE_INT_RGB). */
    public static int[] argb(int width, int height) {
        int[] px = new int[width * height];
        SplittableRandom random = new SplittableRandom(20240601L);
        int[] bars = {0xc0c0c0, 0xc0c000, 0x00c0c0, 0x00c000, 0xc000c0, 0xc00000, 0x0000c0};
        int titleBar = height / 27;
        int barsEnd = height / 3;
        int gradientEnd = height / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int c;
                if (y < titleBar) {
                    c = 0x2d3e50;
                } else if (y < barsEnd) {
                    c = bars[x * bars.length / width];
                } else if (y < gradientEnd) {
                    int g = x * 255 / (width - 1);
                    int v = (y - barsEnd) * 255 / Math.max(1, gradientEnd - barsEnd - 1);
                    c = (g << 16) | (v << 8) | (255 - g);
                } else if (x < width / 3) {
                    c = 0xf0f0f0; // a light "document" area, filled with text below
                } else if (x < width * 2 / 3) {
                    c = random.nextInt() & 0xffffff; // video: noise
                } else {
                    c = 0x1e1e1e; // dark terminal, filled with text below
                }
                px[y * width + x] = 0xff000000 | c;
            }
        }
        // text-like detail: 8x16 glyph cells with pseudo-random strokes, lines of varying length
        text(px, width, 0, width / 3, gradientEnd, height, 0x202020, random);
        text(px, width, width * 2 / 3, width, gradientEnd, height, 0x33d17a, random);
        return px;
    }

    private static void text(int[] px, int width, int x0, int x1, int y0, int y1, int ink, SplittableRandom r) {
        for (int line = y0 + 4; line + 16 <= y1; line += 18) {
            int length = x0 + 8 + r.nextInt(Math.max(1, x1 - x0 - 16));
            for (int cell = x0 + 8; cell + 8 <= length; cell += 8) {
                if (r.nextInt(7) == 0) {
                    continue; // a space
                }
                int glyph = r.nextInt();
                for (int gy = 2; gy < 14; gy++) {
                    int bits = (glyph >>> (gy % 5 * 6)) & 0x3f;
                    for (int gx = 1; gx < 7; gx++) {
                        if ((bits >>> (gx - 1) & 1) != 0) {
                            px[(line + gy) * width + cell + gx] = 0xff000000 | ink;
                        }
                    }
                }
            }
        }
    }
}
