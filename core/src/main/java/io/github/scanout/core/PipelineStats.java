package io.github.scanout.core;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one pipeline: its state and counters, and every attached sink's.
 *
 * @param name the device name sinks are matched against
 * @param spec the device spec it opens
 * @param state what it is doing
 * @param reason one line explaining the state (empty when RUNNING)
 * @param source the buffer type of the plane source in use ({@code dmabuf}, {@code region}...),
 *     empty when none
 * @param mode the guest's mode as last captured: {@code WIDTHxHEIGHT FORMAT} with the DRM format's
 *     four characters ({@code 1920x1080 XR24}), and the modifier when it is not linear
 *     ({@code 1920x1080 XR24 I915_X_TILED}); empty while nothing is shown (before the first frame,
 *     no signal, device gone)
 * @param rateHz the polling rate right now (lower while idle or backing off)
 * @param polls capture ticks so far
 * @param captured primary frames published (changed frames; unchanged ones are skipped)
 * @param unchanged polls that found nothing new, or left the look for later because every sink
 *     had yet to take the newest frame, a live view that shows the plane as it is when read
 * @param cursorUpdates cursor-only updates published
 * @param deviceErrors device calls that failed (transient ones included)
 * @param delivered frames delivered, summed over the attached sinks
 * @param dropped frames dropped by the attached sinks' queues
 * @param sinkErrors sink calls that threw, summed over the attached sinks
 * @param latencyP50Micros median capture-to-sink-done latency over the attached sinks' windows
 * @param latencyP99Micros 99th percentile of the same
 * @param changeCheckP50Micros median cost of the cheap change check per tick (sampled: one tick in 16)
 * @param changeCheckP99Micros 99th percentile of the same
 * @param sinks the attached sinks, in attach order
 */
public record PipelineStats(
        String name,
        String spec,
        PipelineState state,
        String reason,
        String source,
        String mode,
        double rateHz,
        long polls,
        long captured,
        long unchanged,
        long cursorUpdates,
        long deviceErrors,
        long delivered,
        long dropped,
        long sinkErrors,
        long latencyP50Micros,
        long latencyP99Micros,
        long changeCheckP50Micros,
        long changeCheckP99Micros,
        List<SinkStats> sinks) {

    public PipelineStats {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mode, "mode");
        sinks = List.copyOf(sinks);
    }

    /**
     * The stats without a mode (as before the mode was reported): the mode is empty.
     *
     * @deprecated give the mode
     */
    @Deprecated
    public PipelineStats(String name, String spec, PipelineState state, String reason, String source, double rateHz,
            long polls, long captured, long unchanged, long cursorUpdates, long deviceErrors, long delivered,
            long dropped, long sinkErrors, long latencyP50Micros, long latencyP99Micros, long changeCheckP50Micros,
            long changeCheckP99Micros, List<SinkStats> sinks) {
        this(name, spec, state, reason, source, "", rateHz, polls, captured, unchanged, cursorUpdates, deviceErrors,
                delivered, dropped, sinkErrors, latencyP50Micros, latencyP99Micros, changeCheckP50Micros,
                changeCheckP99Micros, sinks);
    }

    /**
     * The stats of a pipeline that was never built because its configuration was refused: state
     * {@link PipelineState#FAILED} with the reason, no source, every counter 0, no sinks.
     *
     * @param reason one line: what was refused and why
     */
    public static PipelineStats refused(String name, String spec, String reason) {
        return new PipelineStats(name, spec, PipelineState.FAILED, reason, "", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                List.of());
    }

    /** The named sink's stats, or null. */
    public SinkStats sink(String sinkName) {
        for (SinkStats s : sinks) {
            if (s.name().equals(sinkName)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format("%s (%s): %s%s, source %s, mode %s, %.1f Hz, polls %d, captured %d, unchanged %d, cursor %d,"
                        + " device errors %d, delivered %d, dropped %d, sink errors %d, latency p50 %d us p99 %d us,"
                        + " change check p50 %d us p99 %d us, %d sinks",
                name, spec, state, reason.isEmpty() ? "" : " (" + reason + ")", source.isEmpty() ? "-" : source,
                mode.isEmpty() ? "-" : mode, rateHz,
                polls, captured, unchanged, cursorUpdates, deviceErrors, delivered, dropped, sinkErrors,
                latencyP50Micros, latencyP99Micros, changeCheckP50Micros, changeCheckP99Micros, sinks.size());
    }
}
