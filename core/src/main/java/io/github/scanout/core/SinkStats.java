package io.github.scanout.core;

/**
 * A snapshot of one attached sink's counters.
 *
 * @param name the name it was attached under
 * @param queued entries waiting in its queue right now
 * @param delivered frames its {@code frame} method took and returned from normally
 * @param dropped frames its queue dropped (drop-oldest) before it took them
 * @param errors calls of its methods that threw (counted, logged at a limited rate; delivery goes on)
 * @param cursorUpdates cursor-only updates delivered
 * @param noSignals noSignal notices delivered
 * @param latencyP50Micros median microseconds from capture until its {@code frame} returned, over its
 *     last {@value #LATENCY_WINDOW} delivered frames; 0 before the first
 * @param latencyP99Micros 99th percentile of the same
 */
public record SinkStats(
        String name,
        int queued,
        long delivered,
        long dropped,
        long errors,
        long cursorUpdates,
        long noSignals,
        long latencyP50Micros,
        long latencyP99Micros) {

    /** Frames the latency percentiles are computed over. */
    public static final int LATENCY_WINDOW = 1024;

    @Override
    public String toString() {
        return name + ": delivered " + delivered + ", dropped " + dropped + ", errors " + errors + ", queued " + queued
                + ", cursor " + cursorUpdates + ", no-signal " + noSignals + ", latency p50 " + latencyP50Micros
                + " us p99 " + latencyP99Micros + " us";
    }
}
