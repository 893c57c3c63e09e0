package io.github.scanout.api.sink;

import io.github.scanout.api.buffer.PlaneBuffer;

/**
 * One primary-plane frame as delivered to a sink. The pipeline owns the leases it carries and
 * closes them after {@link FrameSink#frame(Frame)} returns; a sink that keeps a buffer longer
 * takes its own lease with {@link PlaneBuffer#retain()}.
 *
 * @param device the device name, as configured
 * @param sequence frame number on that device, from 1, counting captured frames
 * @param captureNanos {@link System#nanoTime()} when the frame was captured
 * @param wallMillis {@link System#currentTimeMillis()} at capture, for file names
 * @param primary the primary plane
 * @param cursor the cursor at capture time
 */
public record Frame(String device, long sequence, long captureNanos, long wallMillis, PlaneBuffer primary, CursorState cursor) {}
