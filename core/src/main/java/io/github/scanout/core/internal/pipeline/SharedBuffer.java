package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One captured buffer shared by the pipeline (as its current frame or cursor) and by sink queue
 * entries. It owns one lease; every holder takes a reference ({@link #ref()}) and gives it back
 * ({@link #unref()}); the last one closes the lease and the CPU import made for it, if any.
 * Sinks get leases of their own ({@link #lease()}), closed after their call, so a sink that
 * retains a buffer keeps it alive past this object.
 *
 * <p>A published frame is itself the shared buffer of its primary plane ({@link FrameSnapshot}
 * extends this class and gives its cursor back in {@link #released()}, as Netty's reference
 * counted objects deallocate): one object and one reference count per frame, not two of each
 * (about 24 bytes and two atomic operations less for every frame a sink is handed).
 *
 * <p>Threads: any.
 */
class SharedBuffer {

    private static final AtomicIntegerFieldUpdater<SharedBuffer> REFS =
            AtomicIntegerFieldUpdater.newUpdater(SharedBuffer.class, "refs");

    /** The CPU import of a buffer the CPU cannot read: tried once, by the first CPU sink that asks. */
    private static final class Import {
        /** Set once released: no import is made any more. */
        static final Import RELEASED = new Import(null, "released");

        PlaneBuffer buffer;
        final String failure;

        Import(PlaneBuffer buffer, String failure) {
            this.buffer = buffer;
            this.failure = failure;
        }
    }

    private final PlaneBuffer owned;
    private volatile int refs = 1;
    /** Null until an import was tried (one field, so that a frame's buffer stays small); guarded by this. */
    private Import imp;

    /** Takes ownership of {@code lease}; the caller holds the first reference. */
    SharedBuffer(PlaneBuffer lease) {
        this.owned = lease;
    }

    /** The owned lease, for reading info and pixels while a reference is held; never close it. */
    PlaneBuffer buffer() {
        return owned;
    }

    /** Another reference. */
    SharedBuffer ref() {
        int before = REFS.getAndIncrement(this);
        if (before <= 0) {
            REFS.getAndDecrement(this);
            throw new IllegalStateException("buffer " + owned.info() + " was already released");
        }
        return this;
    }

    /** Gives a reference back; the last closes the lease and any import, then calls {@link #released()}. */
    void unref() {
        int left = REFS.decrementAndGet(this);
        if (left == 0) {
            PlaneBuffer made = null;
            synchronized (this) {
                if (imp != null) {
                    made = imp.buffer;
                    imp.buffer = null;
                }
                imp = Import.RELEASED;
            }
            try {
                owned.close();
                if (made != null) {
                    made.close();
                }
            } finally {
                released();
            }
        } else if (left < 0) {
            throw new IllegalStateException("buffer " + owned.info() + " released too often");
        }
    }

    /** Called once, on the thread that gave the last reference back, after the lease was closed. */
    void released() {
        // nothing else to give back
    }

    /** A new lease for one sink call. */
    PlaneBuffer lease() {
        return owned.retain();
    }

    /**
     * A new CPU-readable lease for one sink call: the buffer itself when the CPU can read it,
     * otherwise its import, made once (on the first CPU sink that asks) and shared.
     *
     * @return the lease, or null when there is none ({@link #importFailure()} says why)
     */
    PlaneBuffer cpuLease(ImportRouter importers) {
        if (owned.cpuReadable()) {
            return owned.retain();
        }
        synchronized (this) {
            if (imp == Import.RELEASED) {
                throw new IllegalStateException("buffer " + owned.info() + " was already released");
            }
            if (imp == null) {
                ImportRouter.Result r = importers.importToCpu(owned);
                imp = new Import(r.buffer(), r.reason());
            }
            return imp.buffer != null ? imp.buffer.retain() : null;
        }
    }

    /** {@return why {@link #cpuLease} gave no lease} */
    synchronized String importFailure() {
        return imp == null ? null : imp.failure;
    }
}
