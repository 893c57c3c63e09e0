package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.Hotspot;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Hands work from the sink's delivery thread to its GL thread, latest wins: a frame that has not
 * been drawn yet is replaced by a newer one (its lease closed, the drop counted), and cursor
 * updates are merged so a move never loses an image change that came before it.
 *
 * <p>Every lease in the mailbox is owned by it until {@link #take} hands it to the GL thread,
 * or until {@link #close()} releases it. After close, offers release their leases at once.
 *
 * <p>Threads: offers come from the delivery thread, {@code take} from the GL thread; all
 * methods are synchronised on the mailbox.
 */
final class Mailbox {

    /**
     * A pending cursor: where, and an image lease when the image changed (null when the image
     * is unchanged or the cursor is hidden).
     */
    record Cursor(boolean visible, PlaneBuffer newImage, int x, int y, Optional<Hotspot> hotspot) {}

    /** Something to run on the GL thread after the pending work has been drawn. */
    static final class Task<T> {
        private final Supplier<T> action;
        private final CompletableFuture<T> future = new CompletableFuture<>();

        Task(Supplier<T> action) {
            this.action = action;
        }

        void run() {
            try {
                future.complete(action.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }

        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    /** What the GL thread takes in one go; it owns the leases in it. */
    record Work(PlaneBuffer frame, Cursor cursor, String noSignal, boolean detached, boolean stop,
            List<Task<?>> tasks) {

        /** Whether there is nothing to draw (tasks alone do not need a new draw). */
        boolean nothingToDraw() {
            return frame == null && cursor == null && noSignal == null && !detached;
        }

        /** Runs the tasks (GL thread, after drawing). */
        void runTasks() {
            for (Task<?> t : tasks) {
                t.run();
            }
        }

        /** Closes the leases (when the work is thrown away rather than done). */
        void release() {
            if (frame != null) {
                frame.close();
            }
            if (cursor != null && cursor.newImage() != null) {
                cursor.newImage().close();
            }
        }
    }

    private final Runnable wake;
    private PlaneBuffer frame;
    private Cursor cursor;
    private String noSignal;
    private boolean detached;
    private boolean stop;
    private boolean closed;
    private final List<Task<?>> tasks = new ArrayList<>();
    private long framesOffered;
    private long framesReplaced;

    /** @param wake called after every offer, outside the lock (wakes a GLFW event wait) */
    Mailbox(Runnable wake) {
        this.wake = wake;
    }

    /**
     * A new frame: takes its own lease on the primary plane (and on the cursor image when it
     * changed); the caller's leases stay the caller's. Frame and cursor go in together, so the GL
     * thread draws them once.
     */
    void offerFrame(PlaneBuffer primary, CursorState cursorAtCapture) {
        PlaneBuffer mine = primary.retain();
        PlaneBuffer image = cursorImage(cursorAtCapture);
        PlaneBuffer[] drop = new PlaneBuffer[2];
        synchronized (this) {
            framesOffered++;
            if (closed) {
                drop[0] = mine;
                drop[1] = image;
            } else {
                drop[0] = frame;
                if (drop[0] != null) {
                    framesReplaced++;
                }
                frame = mine;
                noSignal = null;
                if (cursorAtCapture != null) {
                    drop[1] = mergeCursor(cursorAtCapture, image);
                }
                notifyAll();
            }
        }
        for (PlaneBuffer b : drop) {
            if (b != null) {
                b.close();
            }
        }
        wake.run();
    }

    /** A cursor update; an image that changed is retained. */
    void offerCursor(CursorState state) {
        PlaneBuffer image = cursorImage(state);
        PlaneBuffer drop;
        synchronized (this) {
            drop = closed ? image : mergeCursor(state, image);
            notifyAll();
        }
        if (drop != null) {
            drop.close();
        }
        wake.run();
    }

    private static PlaneBuffer cursorImage(CursorState state) {
        return state != null && state.visible() && state.imageChanged() ? state.image().orElseThrow().retain() : null;
    }

    /** Merges a cursor update into the pending one; returns a lease to close, if any. Holds the lock. */
    private PlaneBuffer mergeCursor(CursorState state, PlaneBuffer image) {
        PlaneBuffer drop;
        if (!state.visible()) {
            drop = cursor == null ? null : cursor.newImage();
            cursor = new Cursor(false, null, 0, 0, Optional.empty());
        } else if (image != null) {
            drop = cursor == null ? null : cursor.newImage();
            cursor = new Cursor(true, image, state.x(), state.y(), state.hotspot());
        } else {
            // a move: keep an image change that is still pending
            PlaneBuffer pendingImage = cursor != null && cursor.visible() ? cursor.newImage() : null;
            cursor = new Cursor(true, pendingImage, state.x(), state.y(), state.hotspot());
            drop = null;
        }
        return drop;
    }

    /** Nothing to show; drops a pending frame. */
    void offerNoSignal(String reason) {
        PlaneBuffer old;
        synchronized (this) {
            if (closed) {
                return;
            }
            old = frame;
            frame = null;
            noSignal = reason;
            notifyAll();
        }
        if (old != null) {
            old.close();
        }
        wake.run();
    }

    /** The sink was detached: drop pending work, tell the GL thread to release what it holds. */
    void offerDetached() {
        Work dropped;
        synchronized (this) {
            if (closed) {
                return;
            }
            dropped = new Work(frame, cursor, null, false, false, List.of());
            frame = null;
            cursor = null;
            noSignal = null;
            detached = true;
            notifyAll();
        }
        dropped.release();
        wake.run();
    }

    /**
     * Runs {@code action} on the GL thread once everything offered before has been applied and
     * drawn.
     */
    <T> CompletableFuture<T> call(Supplier<T> action) {
        Task<T> t = new Task<>(action);
        synchronized (this) {
            if (closed) {
                t.fail(new IllegalStateException("the GL sink is closed"));
                return t.future;
            }
            tasks.add(t);
            notifyAll();
        }
        wake.run();
        return t.future;
    }

    /** A future completed once everything offered before it has been drawn. */
    CompletableFuture<Void> fence() {
        return call(() -> null);
    }

    /** Asks the GL thread to stop after what is pending. */
    void offerStop() {
        synchronized (this) {
            stop = true;
            notifyAll();
        }
        wake.run();
    }

    /** Takes everything pending without waiting; the work may be empty. */
    synchronized Work poll() {
        Work w = new Work(frame, cursor, noSignal, detached, stop, List.copyOf(tasks));
        frame = null;
        cursor = null;
        noSignal = null;
        detached = false;
        tasks.clear();
        return w;
    }

    /** Waits up to {@code millis} (0: forever) for work, then takes it. */
    synchronized Work take(long millis) throws InterruptedException {
        long deadline = millis == 0 ? Long.MAX_VALUE : System.nanoTime() + millis * 1_000_000L;
        while (!hasWork()) {
            long left = deadline - System.nanoTime();
            if (millis != 0 && left <= 0) {
                break;
            }
            wait(millis == 0 ? 0 : Math.max(1, left / 1_000_000L));
        }
        return poll();
    }

    /** Whether anything is waiting. */
    synchronized boolean hasWork() {
        return frame != null || cursor != null || noSignal != null || detached || stop || !tasks.isEmpty();
    }

    /** Releases everything pending; later offers release their leases at once. Idempotent. */
    void close() {
        Work w;
        synchronized (this) {
            closed = true;
            w = poll();
            notifyAll();
        }
        w.release();
        for (Task<?> t : w.tasks()) {
            t.fail(new IllegalStateException("the GL sink is closed"));
        }
    }

    synchronized long framesOffered() {
        return framesOffered;
    }

    /** Frames replaced by a newer one before the GL thread took them. */
    synchronized long framesReplaced() {
        return framesReplaced;
    }
}
