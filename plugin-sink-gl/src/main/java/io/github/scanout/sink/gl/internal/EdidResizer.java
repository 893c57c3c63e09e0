package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.support.ConditionLog;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Asks the device for the window's size through its EDID region, as QEMU does: window sizes are
 * debounced by {@value #DEBOUNCE_MS} ms (a drag resizes many times), then the size is clamped to
 * the device's max_xres / max_yres (0: no limit) and to what an EDID detailed timing can say,
 * the link goes down, the blob is written, and the link comes up {@value #LINK_UP_DELAY_MS} ms
 * later so the guest sees a hot-plug.
 *
 * <p>Threads: {@link #request} from the window's thread; the EDID work runs on the timer's
 * thread, never on the GL thread. All state is guarded by {@code this}.
 */
final class EdidResizer implements AutoCloseable {
    static final long DEBOUNCE_MS = 1000;
    static final long LINK_UP_DELAY_MS = 100;

    /** Runs tasks later (a scheduled executor, or a manual clock in tests). */
    interface Timer extends AutoCloseable {
        /** Runs {@code task} after {@code delayMs}; the returned handle cancels it. */
        Runnable schedule(Runnable task, long delayMs);

        @Override
        void close();

        /** A single daemon thread. */
        static Timer daemon(String name) {
            return new Timer() {
                private ScheduledExecutorService executor;

                private synchronized ScheduledExecutorService executor() {
                    if (executor == null) {
                        executor = Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, name);
                            t.setDaemon(true);
                            return t;
                        });
                    }
                    return executor;
                }

                @Override
                public Runnable schedule(Runnable task, long delayMs) {
                    ScheduledFuture<?> f = executor().schedule(task, delayMs, TimeUnit.MILLISECONDS);
                    return () -> f.cancel(false);
                }

                @Override
                public synchronized void close() {
                    if (executor != null) {
                        executor.shutdownNow();
                    }
                }
            };
        }
    }

    private final String device;
    private final Supplier<Optional<EdidRegion>> region;
    private final Timer timer;
    private final ConditionLog log;
    private Runnable pending;
    private int[] lastSent;
    private int sent;

    EdidResizer(String device, Supplier<Optional<EdidRegion>> region, Timer timer, ConditionLog log) {
        this.device = device;
        this.region = region;
        this.timer = timer;
        this.log = log;
    }

    /** The window's drawable area is now {@code w x h}; the device hears of it after the debounce. */
    synchronized void request(int w, int h) {
        if (w <= 0 || h <= 0) {
            return; // minimised
        }
        if (pending != null) {
            pending.run(); // cancels the earlier request
        }
        pending = timer.schedule(() -> apply(w, h), DEBOUNCE_MS);
    }

    /** Forgets a pending request. */
    synchronized void cancel() {
        if (pending != null) {
            pending.run();
            pending = null;
        }
    }

    private void apply(int w, int h) {
        synchronized (this) {
            pending = null;
        }
        Optional<EdidRegion> r;
        try {
            r = region.get();
        } catch (RuntimeException e) {
            log.report(System.Logger.Level.WARNING, "edid-lookup", "cannot look up the EDID region: " + e.getMessage());
            return;
        }
        if (r.isEmpty()) {
            log.report(System.Logger.Level.INFO, "edid-none", "window resized but " + device
                    + " has no EDID region (or none is bound): the guest keeps its mode");
            return;
        }
        EdidRegion edid = r.get();
        try {
            int[] size = clamp(w, h, edid.maxXres(), edid.maxYres());
            synchronized (this) {
                if (lastSent != null && lastSent[0] == size[0] && lastSent[1] == size[1]) {
                    return;
                }
                lastSent = size;
            }
            byte[] blob = EdidBlob.build(size[0], size[1]);
            if (blob.length > edid.maxSize()) {
                log.report(System.Logger.Level.WARNING, "edid-size", "the EDID region takes " + edid.maxSize()
                        + " bytes, the blob has " + blob.length + ": not sent");
                return;
            }
            edid.setLinkUp(false);
            edid.write(blob);
            synchronized (this) {
                sent++;
            }
            timer.schedule(() -> linkUp(edid), LINK_UP_DELAY_MS);
            log.always(System.Logger.Level.INFO, "asked " + device + " for " + size[0] + "x" + size[1]
                    + " through EDID (window " + w + "x" + h + ")");
        } catch (Exception e) {
            log.report(System.Logger.Level.WARNING, "edid-fail:" + e.getMessage(), "EDID resize failed: " + e.getMessage());
        }
    }

    private void linkUp(EdidRegion edid) {
        try {
            edid.setLinkUp(true);
        } catch (Exception e) {
            log.report(System.Logger.Level.WARNING, "edid-up:" + e.getMessage(), "EDID link up failed: " + e.getMessage());
        }
    }

    /** Clamps to the device's limits (0: none) and to what a detailed timing can hold. */
    static int[] clamp(int w, int h, int maxX, int maxY) {
        int cw = maxX > 0 ? Math.min(w, maxX) : w;
        int ch = maxY > 0 ? Math.min(h, maxY) : h;
        return new int[] {EdidBlob.clamp(cw), EdidBlob.clamp(ch)};
    }

    /** Blobs written so far. */
    synchronized int sent() {
        return sent;
    }

    @Override
    public void close() {
        cancel();
        timer.close();
    }
}
