package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.support.ConditionLog;
import java.util.Optional;

/**
 * The cursor plane as the capture loop tracks it: polls it, tells an image change from a move,
 * keeps the current {@link CursorSnapshot} (one reference, replaced and released here), and stops
 * polling a device whose cursor queries keep failing or answer with another plane.
 *
 * <p>Threads: capture thread only.
 */
final class CursorTracker {

    /** Consecutive failed cursor queries before the cursor plane is no longer polled. */
    static final int GIVE_UP = 3;

    /**
     * How the tracker gets a cursor plane (the loop's acquire, with its stall watch): as
     * {@link io.github.scanout.api.source.PlaneSession#acquire(PlaneType, boolean, PlaneBuffer)},
     * {@code held} itself when the plane is unchanged.
     */
    interface Acquire {
        Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, PlaneBuffer held) throws DeviceException;
    }

    private final ChangeDetector check;
    private final ConditionLog log;
    private final String label;
    private CursorSnapshot cursor = CursorSnapshot.NONE;
    /** The last poll's lease, kept to the next where that pins nothing. */
    private final HeldLease lease = new HeldLease();
    private long generation;
    private boolean polling = true;
    private int failures;

    CursorTracker(ChangeDetector check, ConditionLog log, String label) {
        this.check = check;
        this.log = log;
        this.label = label;
    }

    /** The current cursor (the tracker keeps its reference; take one of your own to keep it). */
    CursorSnapshot current() {
        return cursor;
    }

    /** Whether the cursor plane is still polled. */
    boolean polling() {
        return polling;
    }

    /** A new source: poll the cursor again from scratch. */
    void restart() {
        check.reset();
        lease.release();
        polling = true;
        failures = 0;
    }

    /** No cursor (no signal, source closed): releases the current one. */
    void clear() {
        check.reset();
        lease.release();
        replace(CursorSnapshot.NONE);
    }

    /**
     * Polls the cursor plane once.
     *
     * @return whether the cursor now differs from what the last call left (image, place or
     *     visibility)
     * @throws DeviceException only when the device is gone; other failures are counted here
     */
    boolean poll(Acquire source, boolean consistent) throws DeviceException {
        if (!polling) {
            return false;
        }
        Optional<PlaneBuffer> got;
        try {
            got = source.acquire(PlaneType.CURSOR, consistent, lease.held());
            failures = 0;
        } catch (DeviceException e) {
            if (e.isGone()) {
                throw e;
            }
            return failed(e.isTransient(), DeviceLifecycle.message(e));
        } catch (RuntimeException | LinkageError e) {
            return failed(false, e.toString());
        }
        if (got.isEmpty()) {
            lease.release();
            if (!cursor.visible()) {
                return false;
            }
            hide();
            return true;
        }
        try {
            PlaneBuffer b = lease.got(got.get());
            PlaneInfo info = b.info();
            if (info.type() != PlaneType.CURSOR) {
                lease.release();
                polling = false;
                log.always(System.Logger.Level.INFO, label + ": the device answers cursor queries with a "
                        + info.type() + " plane; the cursor plane is not polled");
                return false;
            }
            // always looked at, so the check records this image even when the cursor was hidden
            boolean imageChanged = check.update(b) | !cursor.visible();
            if (imageChanged) {
                replace(new CursorSnapshot(new SharedBuffer(lease.take()), info.x(), info.y(), info.hotspot(),
                        ++generation));
                return true;
            }
            if (cursor.samePlace(info.x(), info.y(), info.hotspot())) {
                return false;
            }
            replace(new CursorSnapshot(cursor.image.ref(), info.x(), info.y(), info.hotspot(), cursor.generation));
            return true;
        } finally {
            lease.endPoll();
        }
    }

    private boolean failed(boolean transientError, String why) {
        if (transientError) {
            return false;
        }
        if (++failures >= GIVE_UP) {
            polling = false;
            lease.release();
            log.always(System.Logger.Level.INFO, label + ": stopped polling the cursor plane after "
                    + failures + " failed queries in a row: " + why);
        }
        if (cursor.visible()) {
            hide();
            return true;
        }
        return false;
    }

    private void hide() {
        check.reset();
        replace(new CursorSnapshot(null, 0, 0, Optional.empty(), ++generation));
    }

    private void replace(CursorSnapshot next) {
        CursorSnapshot old = cursor;
        cursor = next;
        old.unref();
    }
}
