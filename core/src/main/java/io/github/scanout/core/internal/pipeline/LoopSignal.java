package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
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

    /** Nothing requested (the answer of almost every take). */
    private static final Requests NONE = new Requests(false, false, 0, false, false);

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The capture thread while it waits in {@link #awaitUntil}, else null. Set under the lock, so a
     * request made under the lock either finds it set or is seen before the thread parks. Woken with
     * {@link LockSupport#unpark}, not a {@code Condition}: a condition's wait allocates a node per
     * wait, that is garbage per tick.
     */
    private volatile Thread waiter;
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
            wakeLoop();
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
            wakeLoop();
        } finally {
            lock.unlock();
        }
    }

    void reopen() {
        lock.lock();
        try {
            reopen = true;
            wakeLoop();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closing = true;
            wakeLoop();
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
            wakeLoop();
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
            long ticket = reselectRequested > reselectDone ? reselectRequested : 0;
            Requests r = !closing && !reopen && ticket == 0 && !forceFrame && !woken ? NONE
                    : new Requests(closing, reopen, ticket, forceFrame, woken);
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
        Thread me = Thread.currentThread();
        try {
            while (true) {
                lock.lock();
                try {
                    if (closing || reopen || forceFrame || woken || reselectRequested > reselectDone) {
                        return;
                    }
                    waiter = me;
                } finally {
                    lock.unlock();
                }
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - clock.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    LockSupport.parkNanos(this, Math.min(left, TimeUnit.SECONDS.toNanos(10)));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            waiter = null;
        }
    }

    /** Wakes the capture thread if it waits; called with the lock held, after setting a request. */
    private void wakeLoop() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }
}
