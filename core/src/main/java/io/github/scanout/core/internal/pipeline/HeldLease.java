package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.buffer.PlaneBuffer;

/**
 * The capture loop's last lease of one plane, kept from one poll to the next when keeping it pins
 * nothing, so that the session can answer an unchanged plane with that lease instead of a new one
 * ({@link io.github.scanout.api.source.PlaneSession#acquire(io.github.scanout.api.PlaneType, boolean, PlaneBuffer)}).
 *
 * <p>Kept: a buffer the CPU cannot read (a dma-buf handed out as an fd). Its lease holds the fd's
 * buffer, which the session's cache holds anyway, and nothing else. Not kept: a CPU-readable
 * buffer. Its lease may hold a dma-buf's CPU access open (SYNC START to END) or a copy from a
 * pool of a few, and those are given back at the end of every poll, as before.
 *
 * <p>Use per poll: {@link #held()} to the session, {@link #got} with its answer (a borrowed
 * buffer, valid until {@link #endPoll()}), {@link #take()} for a lease of one's own (to publish),
 * and {@link #endPoll()} last. {@link #release()} when the plane is gone or the session closes.
 *
 * <p>Threads: capture thread only.
 */
final class HeldLease {

    private PlaneBuffer held;

    /** {@return the lease kept from the last poll, for the session; null when none is kept} */
    PlaneBuffer held() {
        return held;
    }

    /**
     * Takes the session's answer: the kept lease itself (nothing changes) or a new lease (the
     * kept one is closed, the new one kept until {@link #endPoll()}).
     *
     * @return {@code answer}, borrowed: do not close it
     */
    PlaneBuffer got(PlaneBuffer answer) {
        if (answer != held) {
            release();
            held = answer;
        }
        return answer;
    }

    /**
     * A lease of the current buffer for the caller to own (and close): the held lease itself when
     * it would not be kept past this poll (no new lease, no atomic operation), otherwise another
     * lease on it.
     */
    PlaneBuffer take() {
        PlaneBuffer b = held;
        if (b == null) {
            throw new IllegalStateException("no lease is held");
        }
        if (!b.cpuReadable()) {
            return b.retain();
        }
        held = null;
        return b;
    }

    /** The poll is over: keeps the lease only when it pins nothing (see the class comment). */
    void endPoll() {
        if (held != null && held.cpuReadable()) {
            release();
        }
    }

    /** Gives the kept lease back (no plane, a closed session, a released device). */
    void release() {
        PlaneBuffer b = held;
        held = null;
        if (b != null) {
            b.close();
        }
    }
}
