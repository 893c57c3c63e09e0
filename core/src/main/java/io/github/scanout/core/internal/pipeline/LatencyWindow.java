package io.github.scanout.core.internal.pipeline;

import java.util.Arrays;
import java.util.Collection;

/**
 * The last {@code capacity} durations (nanoseconds), for exact percentiles over a sliding window.
 *
 * <p>Threads: thread-safe; {@link #add} is cheap (a store under a lock), percentiles sort a copy.
 */
final class LatencyWindow {
    private final long[] ring;
    private int next;
    private int size;

    LatencyWindow(int capacity) {
        ring = new long[capacity];
    }

    synchronized void add(long nanos) {
        ring[next] = nanos;
        next = (next + 1) % ring.length;
        if (size < ring.length) {
            size++;
        }
    }

    synchronized long[] values() {
        return Arrays.copyOf(ring, size);
    }

    /** Nearest-rank percentile in microseconds of the union of windows, 0 when all are empty. */
    static long[] percentilesMicros(Collection<LatencyWindow> windows, double... percentiles) {
        long[][] parts = windows.stream().map(LatencyWindow::values).toArray(long[][]::new);
        int total = 0;
        for (long[] p : parts) {
            total += p.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        long[] out = new long[percentiles.length];
        if (total == 0) {
            return out;
        }
        Arrays.sort(all);
        for (int i = 0; i < percentiles.length; i++) {
            int rank = (int) Math.ceil(percentiles[i] / 100.0 * total);
            out[i] = all[Math.max(0, Math.min(total - 1, rank - 1))] / 1000;
        }
        return out;
    }
}
