package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One captured buffer shared by the pipeline (as its current frame or cursor) and by sink queue
 * entries. It owns one lease; every holder takes a reference ({@link #ref()}) and gives it back
 * ({@link #unref()}); the last one closes the lease and the CPU import made for it, if any.
 * Sinks get leases of their own ({@link #lease()}), closed after their call, so a sink that
 * retains a buffer keeps it alive past this object.
 *
 * <p>Threads: any.
 */
final class SharedBuffer {

    /** A CPU-readable lease for a sink, or the reason there is none. */
    record CpuLease(PlaneBuffer lease, String reason) {}

    private final PlaneBuffer owned;
    private final AtomicInteger refs = new AtomicInteger(1);
    private PlaneBuffer imported;
    private String importFailure;
    private boolean importTried;
    private boolean released;

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
        int before = refs.getAndIncrement();
        if (before <= 0) {
            refs.getAndDecrement();
            throw new IllegalStateException("buffer " + owned.info() + " was already released");
        }
        return this;
    }

    /** Gives a reference back; the last closes the lease and any import. */
    void unref() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            PlaneBuffer imp;
            synchronized (this) {
                released = true;
                imp = imported;
                imported = null;
            }
            owned.close();
            if (imp != null) {
                imp.close();
            }
        } else if (left < 0) {
            throw new IllegalStateException("buffer " + owned.info() + " released too often");
        }
    }

    /** A new lease for one sink call. */
    PlaneBuffer lease() {
        return owned.retain();
    }

    /**
     * A new CPU-readable lease for one sink call: the buffer itself when the CPU can read it,
     * otherwise its import, made once (on the first CPU sink that asks) and shared.
     */
    CpuLease cpuLease(ImportRouter importers) {
        if (owned.cpuReadable()) {
            return new CpuLease(owned.retain(), null);
        }
        synchronized (this) {
            if (released) {
                throw new IllegalStateException("buffer " + owned.info() + " was already released");
            }
            if (!importTried) {
                importTried = true;
                ImportRouter.Result r = importers.importToCpu(owned);
                imported = r.buffer();
                importFailure = r.reason();
            }
            return imported != null ? new CpuLease(imported.retain(), null) : new CpuLease(null, importFailure);
        }
    }
}
