package io.github.scanout.sink.gl.internal;

/**
 * What was drawn, read back: {@code width * height} 0xAARRGGBB pixels, top row first.
 */
record Snapshot(int width, int height, int[] argb) {

    int pixel(int x, int y) {
        return argb[y * width + x];
    }
}
