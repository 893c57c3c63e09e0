package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Requests to the capture thread from other threads (attach, source changes, reopen, close) and
 * the wait between ticks. Requests are flags; the capture thread takes them all at once.
 *
 * <p>Threads: any thread requests; only the capture thread takes and waits.
 */
@PipelineScope
final class LoopSignal {

    /** What was requested since the last {@link #take()}. */
    record Requests(boolean closing, boolean reopen, long reselectTicket, boolean forceFrame, boolean woken) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Condition acked = lock.newCondition();
    private boolean closing;
    private boolean reopen;
    private boolean forceFrame;
    private boolean woken;
    private long reselectRequested;
    private long reselectDone;

    @Inject
    LoopSignal() {}

    /** Wakes the loop now (a sink attached: re-read the rate, maybe capture at once). */
    void wake() {
        lock.lock();
        try {
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Asks for a fresh frame to be published on the next tick, even if nothing changed. */
    void forceFrame() {
        lock.lock();
        try {
            forceFrame = true;
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void reopen() {
        lock.lock();
        try {
            reopen = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
            acked.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean closing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /** Asks the loop to look at the plane sources again; returns a ticket for {@link #awaitReselect}. */
    long reselect() {
        lock.lock();
        try {
            long ticket = ++reselectRequested;
            changed.signalAll();
            return ticket;
        } finally {
            lock.unlock();
        }
    }

    /** The capture thread has handled every reselect request up to {@code ticket}. */
    void reselectDone(long ticket) {
        lock.lock();
        try {
            if (ticket > reselectDone) {
                reselectDone = ticket;
            }
            acked.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the ticket's reselect was handled; false on timeout or close. */
    boolean awaitReselect(long ticket, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (reselectDone < ticket && !closing) {
                if (left <= 0) {
                    return false;
                }
                left = acked.awaitNanos(left);
            }
            return reselectDone >= ticket;
        } finally {
            lock.unlock();
        }
    }

    /** Takes (and clears) every request; does not wait. */
    Requests take() {
        lock.lock();
        try {
            Requests r = new Requests(closing, reopen, reselectRequested > reselectDone ? reselectRequested : 0,
                    forceFrame, woken);
            reopen = false;
            forceFrame = false;
            woken = false;
            return r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the deadline ({@link System#nanoTime()} scale of {@code clock}) or until any
     * request arrives; {@code deadline == Long.MAX_VALUE} waits for a request only.
     */
    void awaitUntil(Clock clock, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!closing && !reopen && !forceFrame && !woken && reselectRequested <= reselectDone) {
                if (deadline == Long.MAX_VALUE) {
                    changed.await();
                    continue;
                }
                long left = deadline - clock.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(10)));
            }
        } finally {
            lock.unlock();
        }
    }
}
