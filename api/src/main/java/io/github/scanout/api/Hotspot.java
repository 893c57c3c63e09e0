package io.github.scanout.api;

/**
 * The point of a cursor image that sits at the pointer position, in cursor pixels.
 *
 * @param x column, inside the cursor image
 * @param y row, inside the cursor image
 */
public record Hotspot(int x, int y) {}
