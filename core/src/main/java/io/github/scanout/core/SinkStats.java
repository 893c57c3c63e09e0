package io.github.scanout.core;

import io.github.scanout.api.sink.SinkClient;
import java.util.List;

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
 * @param written frames the sink wrote (its {@link io.github.scanout.api.sink.CountsOutput}; a sink
 *     that does not count its output is taken to have written what it took)
 * @param bytesWritten bytes the sink wrote (0 for a sink that does not count its output)
 * @param lastError one line on the sink's last failure: its own last write error, else the last
 *     exception its methods threw; empty when none
 * @param noPicture why this sink gets no picture when the pipeline has frames it cannot read
 *     (a CPU sink and a dma-buf no importer could read, a format it does not take); empty while
 *     it gets frames
 * @param clients the clients the sink serves now with their own counters (a VNC sink's viewers,
 *     its {@link io.github.scanout.api.sink.SinkOutput#clients()}); empty for other sinks
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
        long latencyP99Micros,
        long written,
        long bytesWritten,
        String lastError,
        String noPicture,
        List<SinkClient> clients) {

    /** Frames the latency percentiles are computed over. */
    public static final int LATENCY_WINDOW = 1024;

    public SinkStats {
        lastError = lastError == null ? "" : lastError;
        noPicture = noPicture == null ? "" : noPicture;
        clients = clients == null ? List.of() : List.copyOf(clients);
    }

    /** The counters of a sink that reports no clients. */
    public SinkStats(String name, int queued, long delivered, long dropped, long errors, long cursorUpdates,
            long noSignals, long latencyP50Micros, long latencyP99Micros, long written, long bytesWritten,
            String lastError, String noPicture) {
        this(name, queued, delivered, dropped, errors, cursorUpdates, noSignals, latencyP50Micros, latencyP99Micros,
                written, bytesWritten, lastError, noPicture, List.of());
    }

    /** The counters of a sink that does not count its output: it wrote what it took. */
    public SinkStats(String name, int queued, long delivered, long dropped, long errors, long cursorUpdates,
            long noSignals, long latencyP50Micros, long latencyP99Micros) {
        this(name, queued, delivered, dropped, errors, cursorUpdates, noSignals, latencyP50Micros, latencyP99Micros,
                delivered, 0, "", "", List.of());
    }

    @Override
    public String toString() {
        return name + ": delivered " + delivered + ", dropped " + dropped + ", errors " + errors + ", queued " + queued
                + ", cursor " + cursorUpdates + ", no-signal " + noSignals + ", latency p50 " + latencyP50Micros
                + " us p99 " + latencyP99Micros + " us, written " + written + " (" + bytesWritten + " bytes)"
                + (lastError.isEmpty() ? "" : ", last error: " + lastError)
                + (noPicture.isEmpty() ? "" : ", no picture: " + noPicture);
    }
}
