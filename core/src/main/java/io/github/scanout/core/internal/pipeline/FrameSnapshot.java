package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.Damage;
import io.github.scanout.api.buffer.PlaneBuffer;

/**
 * One published primary frame: the shared primary buffer (this object: see {@link SharedBuffer})
 * and the cursor at capture time. References are counted through {@link #ref()} /
 * {@link #unref()}; the frame holds one reference on its cursor, given back when its own last
 * reference goes.
 *
 * <p>Threads: immutable apart from the reference count.
 */
final class FrameSnapshot extends SharedBuffer implements SinkWorker.Entry {
    final long sequence;
    final long captureNanos;
    final long wallMillis;
    final CursorSnapshot cursor;
    /** What changed since frame {@code sequence - 1}, as the device said it. */
    final Damage damage;

    /**
     * Takes ownership of {@code primary} (the caller holds the frame's first reference) and takes
     * one reference on the cursor.
     */
    FrameSnapshot(long sequence, long captureNanos, long wallMillis, PlaneBuffer primary, CursorSnapshot cursor,
            Damage damage) {
        super(primary);
        this.sequence = sequence;
        this.captureNanos = captureNanos;
        this.wallMillis = wallMillis;
        this.cursor = cursor.ref();
        this.damage = damage;
    }

    @Override
    FrameSnapshot ref() {
        super.ref();
        return this;
    }

    @Override
    void released() {
        cursor.unref();
    }

    /** A sink's queue gives its reference back. */
    @Override
    public void release() {
        unref();
    }
}
