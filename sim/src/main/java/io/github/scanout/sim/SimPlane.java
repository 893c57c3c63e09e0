package io.github.scanout.sim;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;

/**
 * How the simulated guest has laid out a plane right now (what a correct consumer should end
 * up showing), for assertions in tests.
 *
 * @param format pixel format
 * @param modifier memory layout
 * @param width pixels
 * @param height pixels
 * @param stride bytes from one row (or tile row) to the next
 */
public record SimPlane(DrmFormat format, Modifier modifier, int width, int height, int stride) {}
