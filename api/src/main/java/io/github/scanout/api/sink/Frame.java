package io.github.scanout.api.sink;

import io.github.scanout.api.Damage;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.util.Objects;

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
 * @param damage what changed since the frame numbered {@code sequence - 1}, as the device said it
 *     ({@link Damage#UNKNOWN} for a device that does not say, and for the first frame after a
 *     mode change); a sink that did not see that frame (it was dropped for it) cannot use it
 *     and compares the pixels instead
 */
public record Frame(String device, long sequence, long captureNanos, long wallMillis, PlaneBuffer primary, CursorState cursor,
        Damage damage) {

    /**
     * Checks that {@code damage} is given.
     *
     * @param device the device name
     * @param sequence frame number, from 1
     * @param captureNanos {@link System#nanoTime()} at capture
     * @param wallMillis {@link System#currentTimeMillis()} at capture
     * @param primary the primary plane
     * @param cursor the cursor at capture time
     * @param damage what changed since frame {@code sequence - 1}
     */
    public Frame {
        Objects.requireNonNull(damage, "damage");
    }

    /**
     * A frame of a device that does not say what changed ({@link Damage#UNKNOWN}).
     *
     * @param device the device name
     * @param sequence frame number, from 1
     * @param captureNanos {@link System#nanoTime()} at capture
     * @param wallMillis {@link System#currentTimeMillis()} at capture
     * @param primary the primary plane
     * @param cursor the cursor at capture time
     */
    public Frame(String device, long sequence, long captureNanos, long wallMillis, PlaneBuffer primary, CursorState cursor) {
        this(device, sequence, captureNanos, wallMillis, primary, cursor, Damage.UNKNOWN);
    }
}
