package io.github.scanout.core.internal.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One sink's hand-over between the capture thread and the sink's thread: a bounded queue of
 * entries that drops the oldest when full, and one slot (the newest cursor update) that does not
 * take a queue place, is superseded by the next value put into it, and is released by the next
 * entry (a frame carries the cursor). Whatever is dropped, superseded or left at
 * {@link #close()} is released at once, outside the lock (a release may free buffers).
 *
 * <p>The consumer {@link #take}s one thing at a time and says when it has {@link #finished} it,
 * so {@link #idle()} tells whether everything given has been dealt with.
 *
 * <p>Threads: {@link #add} and {@link #put} from producers; {@link #take} and {@link #finished}
 * from the one consumer thread; the rest from any thread.
 *
 * @param <E> queued entries
 * @param <S> the slot's values
 */
final class DropOldestQueue<E, S> {

    /**
     * What {@link #take} got: an entry, else the slot's value, else nothing (timed out or closed).
     * The queue's one consumer gets the same object from every take (no garbage per frame): read
     * it before taking again.
     */
    static final class Taken<E, S> {
        private E entry;
        private S slot;
        private boolean closed;

        E entry() {
            return entry;
        }

        S slot() {
            return slot;
        }

        boolean closed() {
            return closed;
        }

        boolean empty() {
            return entry == null && slot == null;
        }

        private Taken<E, S> set(E e, S s, boolean c) {
            entry = e;
            slot = s;
            closed = c;
            return this;
        }
    }

    private final int depth;
    private final Consumer<? super E> releaseEntry;
    private final Consumer<? super S> releaseSlot;
    private final Predicate<? super E> countsAsDrop;

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The consumer while it waits in {@link #take}, else null; guarded by the lock. Woken with
     * {@link LockSupport#unpark}, not a {@code Condition}: a condition's wait allocates a node per
     * wait, that is garbage per frame.
     */
    private Thread waiter;
    private final ArrayDeque<E> queue = new ArrayDeque<>();
    private S slot;
    private boolean closed;
    /** What take() returns, reused (one consumer); guarded by the lock while it is filled. */
    private final Taken<E, S> taken = new Taken<>();
    private volatile boolean busy;
    /**
     * Entries queued plus one for a set slot, written under the lock after each change of them
     * (after {@link #busy} when a take empties them), so that {@link #idle()} reads two volatile
     * fields and takes no lock: the capture loop asks every sink on every poll.
     */
    private volatile int pending;
    private long dropped;

    /**
     * @param depth entries kept at most (1 or more)
     * @param releaseEntry releases an entry that is dropped or left
     * @param releaseSlot releases a slot value that is superseded or left
     * @param countsAsDrop which dropped entries {@link #dropped()} counts (frames, not notices)
     */
    DropOldestQueue(int depth, Consumer<? super E> releaseEntry, Consumer<? super S> releaseSlot,
            Predicate<? super E> countsAsDrop) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, got " + depth);
        }
        this.depth = depth;
        this.releaseEntry = releaseEntry;
        this.releaseSlot = releaseSlot;
        this.countsAsDrop = countsAsDrop;
    }

    /**
     * Queues {@code e} at the tail, dropping the oldest entries beyond the depth and releasing the
     * slot's value. When closed, releases {@code e} instead.
     *
     * @return whether it was queued
     */
    boolean add(E e) {
        List<E> gone = null;
        S superseded;
        lock.lock();
        try {
            if (closed) {
                superseded = null;
            } else {
                queue.addLast(e);
                while (queue.size() > depth) {
                    E old = queue.pollFirst();
                    if (countsAsDrop.test(old)) {
                        dropped++;
                    }
                    if (gone == null) {
                        gone = new ArrayList<>(2);
                    }
                    gone.add(old);
                }
                superseded = slot;
                slot = null;
                pending = queue.size();
                wakeConsumer();
                e = null;
            }
        } finally {
            lock.unlock();
        }
        if (e != null) {
            releaseEntry.accept(e);
            return false;
        }
        if (gone != null) {
            gone.forEach(releaseEntry);
        }
        if (superseded != null) {
            releaseSlot.accept(superseded);
        }
        return true;
    }

    /**
     * Sets the slot's value, releasing the one it replaces. When closed, releases {@code s} instead.
     *
     * @return whether it was set
     */
    boolean put(S s) {
        S old;
        boolean set;
        lock.lock();
        try {
            set = !closed;
            if (set) {
                old = slot;
                slot = s;
                pending = queue.size() + (s != null ? 1 : 0);
                wakeConsumer();
            } else {
                old = s;
            }
        } finally {
            lock.unlock();
        }
        if (old != null) {
            releaseSlot.accept(old);
        }
        return set;
    }

    /** Wakes the consumer if it waits; called with the lock held, after a change it waits for. */
    private void wakeConsumer() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Takes the oldest entry, else the slot's value, waiting up to {@code waitNanos} when there is
     * neither. What it returns is the caller's to release; it is busy until {@link #finished()}.
     * One consumer thread only: the result is the same object on every call.
     */
    Taken<E, S> take(long waitNanos) throws InterruptedException {
        lock.lock();
        try {
            // what was taken last is released by now: hold no reference to it while waiting
            taken.set(null, null, false);
            long deadline = System.nanoTime() + waitNanos;
            while (queue.isEmpty() && slot == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                waiter = Thread.currentThread();
                lock.unlock();
                try {
                    LockSupport.parkNanos(this, left);
                } finally {
                    lock.lock();
                    waiter = null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            if (closed) {
                return taken.set(null, null, true);
            }
            E e = queue.pollFirst();
            S s = null;
            if (e == null) {
                s = slot;
                slot = null;
            }
            busy = e != null || s != null;
            pending = queue.size() + (slot != null ? 1 : 0);
            return taken.set(e, s, false);
        } finally {
            lock.unlock();
        }
    }

    /** The consumer has dealt with what it took last. */
    void finished() {
        busy = false;
    }

    /** Whether everything given was taken and finished. */
    boolean idle() {
        return pending == 0 && !busy;
    }

    /** Entries queued, and the slot if set. */
    int queued() {
        lock.lock();
        try {
            return queue.size() + (slot != null ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }

    /** Entries dropped for being the oldest of a full queue (those {@code countsAsDrop} counts). */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Takes nothing more and wakes the consumer; what is left is released by {@link #drain()}. */
    void close() {
        lock.lock();
        try {
            closed = true;
            wakeConsumer();
        } finally {
            lock.unlock();
        }
    }

    /** Closes and releases everything left. */
    void drain() {
        List<E> left;
        S s;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            s = slot;
            slot = null;
            pending = 0;
            wakeConsumer();
        } finally {
            lock.unlock();
        }
        left.forEach(releaseEntry);
        if (s != null) {
            releaseSlot.accept(s);
        }
    }
}
