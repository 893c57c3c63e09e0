package io.github.scanout.api;

import java.util.Arrays;

/**
 * What changed in a plane since the frame before it, as the device said it: rectangles in the
 * plane's pixel coordinates, or {@link #UNKNOWN} when the device says nothing (a VFIO device:
 * then only a look at the pixels tells). QEMU's D-Bus display sends the rectangle of every
 * update it makes, so the pipeline need not hash what QEMU has already said, and a VNC viewer is
 * sent the rectangles without comparing the rest of the frame.
 *
 * <p>Damage may say more than changed (a rectangle whose pixels were written with the same
 * values), never less, with one allowance: a frame is read while the guest may still write, so a
 * write that lands while frame {@code n} is read may show in it although only the damage of frame
 * {@code n + 1} names it (which then follows: that damage is not empty). A pixel outside every
 * rectangle of frame {@code n}'s damage is thus as in frame {@code n - 1} or named by frame
 * {@code n + 1}'s; a sink that redraws only the damage shows every change by the next frame.
 * {@link #NONE} is known damage with no rectangle: nothing changed.
 *
 * <p>Up to {@value #MAX_RECTS} rectangles are kept; more are merged into their bounding box (still
 * a superset). Immutable; safe to share between threads.
 *
 * @since 0.3.0
 */
public final class Damage {
    /** The most rectangles kept before they are merged into their bounding box. */
    public static final int MAX_RECTS = 64;

    /** The device did not say what changed: any pixel may have. */
    public static final Damage UNKNOWN = new Damage(false, new int[0]);

    /** Nothing changed. */
    public static final Damage NONE = new Damage(true, new int[0]);

    private final boolean known;
    /** x, y, width, height of each rectangle, in turn. */
    private final int[] rects;

    private Damage(boolean known, int[] rects) {
        this.known = known;
        this.rects = rects;
    }

    /**
     * One changed rectangle.
     *
     * @param x left column, at least 0
     * @param y top row, at least 0
     * @param width columns, at least 0 (0 or a 0 height: nothing changed)
     * @param height rows, at least 0
     * @return the damage
     * @throws IllegalArgumentException for a negative value or a rectangle past {@code Integer.MAX_VALUE}
     */
    public static Damage of(int x, int y, int width, int height) {
        if (x < 0 || y < 0 || width < 0 || height < 0 || x > Integer.MAX_VALUE - width
                || y > Integer.MAX_VALUE - height) {
            throw new IllegalArgumentException("damage rectangle " + width + "x" + height + "+" + x + "+" + y
                    + " has a negative value or ends past 2^31");
        }
        return width == 0 || height == 0 ? NONE : new Damage(true, new int[] {x, y, width, height});
    }

    /**
     * Whether the device said what changed.
     *
     * @return false for {@link #UNKNOWN}
     */
    public boolean known() {
        return known;
    }

    /**
     * Whether this is known damage with no rectangle.
     *
     * @return true when nothing changed
     */
    public boolean isEmpty() {
        return known && rects.length == 0;
    }

    /**
     * The number of rectangles.
     *
     * @return the count, 0 for {@link #UNKNOWN} and {@link #NONE}
     */
    public int count() {
        return rects.length / 4;
    }

    /**
     * The left column of a rectangle.
     *
     * @param i the rectangle, from 0 to {@link #count()} - 1
     * @return its left column
     */
    public int x(int i) {
        return rects[4 * i];
    }

    /**
     * The top row of a rectangle.
     *
     * @param i the rectangle, from 0 to {@link #count()} - 1
     * @return its top row
     */
    public int y(int i) {
        return rects[4 * i + 1];
    }

    /**
     * The width of a rectangle.
     *
     * @param i the rectangle, from 0 to {@link #count()} - 1
     * @return its width
     */
    public int width(int i) {
        return rects[4 * i + 2];
    }

    /**
     * The height of a rectangle.
     *
     * @param i the rectangle, from 0 to {@link #count()} - 1
     * @return its height
     */
    public int height(int i) {
        return rects[4 * i + 3];
    }

    /**
     * Everything this damage and {@code other} say changed: {@link #UNKNOWN} when either is
     * unknown; their rectangles together, or their bounding box beyond {@value #MAX_RECTS}.
     *
     * @param other the damage of a later update
     * @return the union
     */
    public Damage plus(Damage other) {
        if (!known || !other.known) {
            return UNKNOWN;
        }
        if (other.rects.length == 0) {
            return this;
        }
        if (rects.length == 0) {
            return other;
        }
        int[] all = Arrays.copyOf(rects, rects.length + other.rects.length);
        System.arraycopy(other.rects, 0, all, rects.length, other.rects.length);
        if (all.length <= 4 * MAX_RECTS) {
            return new Damage(true, all);
        }
        long x0 = Long.MAX_VALUE;
        long y0 = Long.MAX_VALUE;
        long x1 = 0;
        long y1 = 0;
        for (int i = 0; i < all.length; i += 4) {
            x0 = Math.min(x0, all[i]);
            y0 = Math.min(y0, all[i + 1]);
            x1 = Math.max(x1, (long) all[i] + all[i + 2]);
            y1 = Math.max(y1, (long) all[i + 1] + all[i + 3]);
        }
        return new Damage(true, new int[] {(int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0)});
    }

    /**
     * Whether any rectangle meets the given one; true for {@link #UNKNOWN}.
     *
     * @param x left column
     * @param y top row
     * @param width columns
     * @param height rows
     * @return whether pixels in it may have changed
     */
    public boolean touches(int x, int y, int width, int height) {
        if (!known) {
            return true;
        }
        for (int i = 0; i < rects.length; i += 4) {
            if ((long) rects[i] < (long) x + width && (long) x < (long) rects[i] + rects[i + 2]
                    && (long) rects[i + 1] < (long) y + height && (long) y < (long) rects[i + 1] + rects[i + 3]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Damage d && d.known == known && Arrays.equals(d.rects, rects);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(known) * 31 + Arrays.hashCode(rects);
    }

    /** For example {@code Damage[unknown]}, {@code Damage[none]} or {@code Damage[8x16+0+32, 720x16+0+0]}. */
    @Override
    public String toString() {
        if (!known) {
            return "Damage[unknown]";
        }
        if (rects.length == 0) {
            return "Damage[none]";
        }
        StringBuilder b = new StringBuilder("Damage[");
        for (int i = 0; i < rects.length; i += 4) {
            b.append(i == 0 ? "" : ", ").append(rects[i + 2]).append('x').append(rects[i + 3]).append('+')
                    .append(rects[i]).append('+').append(rects[i + 1]);
        }
        return b.append(']').toString();
    }
}
