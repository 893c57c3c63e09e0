package io.github.scanout.sink.gl.internal;

/**
 * A rectangle in framebuffer pixels, y down from the top (doubles: scaled views land between
 * pixels).
 */
record Rect(double x, double y, double width, double height) {

    boolean isEmpty() {
        return !(width > 0 && height > 0);
    }

    /** Whether it lands exactly on the pixel grid. */
    boolean integral() {
        return x == Math.rint(x) && y == Math.rint(y) && width == Math.rint(width) && height == Math.rint(height);
    }
}
