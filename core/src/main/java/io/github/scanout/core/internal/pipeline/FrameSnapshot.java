package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.Damage;

/**
 * One published primary frame: the shared primary buffer and the cursor at capture time.
 * References are counted through {@link #ref()} / {@link #unref()}, which take or give back a
 * reference on both buffers.
 *
 * <p>Threads: immutable apart from the reference counts.
 */
final class FrameSnapshot implements SinkWorker.Entry {
    final long sequence;
    final long captureNanos;
    final long wallMillis;
    final SharedBuffer primary;
    final CursorSnapshot cursor;
    /** What changed since frame {@code sequence - 1}, as the device said it. */
    final Damage damage;

    /** Holds the first reference of {@code primary} and takes one on the cursor image. */
    FrameSnapshot(long sequence, long captureNanos, long wallMillis, SharedBuffer primary, CursorSnapshot cursor,
            Damage damage) {
        this.sequence = sequence;
        this.captureNanos = captureNanos;
        this.wallMillis = wallMillis;
        this.primary = primary;
        this.cursor = cursor.ref();
        this.damage = damage;
    }

    FrameSnapshot ref() {
        primary.ref();
        cursor.ref();
        return this;
    }

    void unref() {
        primary.unref();
        cursor.unref();
    }

    /** A sink's queue gives its reference back. */
    @Override
    public void release() {
        unref();
    }
}
