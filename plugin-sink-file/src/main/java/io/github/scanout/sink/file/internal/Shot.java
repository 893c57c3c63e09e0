package io.github.scanout.sink.file.internal;

import io.github.scanout.api.PlaneInfo;
import java.nio.ByteBuffer;

/**
 * One image to write: a linear, CPU-readable primary plane and, when the cursor is composited,
 * the cursor. Valid during one {@link Output#write} call (the lease behind {@code pixels} is
 * held by the caller).
 *
 * @param device the device name
 * @param sequence the frame's sequence number
 * @param captureNanos {@link System#nanoTime()} at capture (or at the cursor update)
 * @param wallMillis wall-clock time at capture
 * @param info the plane
 * @param pixels its bytes from index 0, little-endian
 * @param cursor the cursor to composite, or {@code null}
 */
record Shot(String device, long sequence, long captureNanos, long wallMillis, PlaneInfo info, ByteBuffer pixels,
        CursorSprite cursor) {

    /** The pixels as ARGB rows, cursor included. */
    ArgbRows rows() {
        return new PlaneRows(info, pixels, cursor);
    }
}
