package io.github.scanout.api.sink;

import io.github.scanout.api.DrmFormat;
import java.util.Set;

/**
 * What a sink declares it can take; read once when it is attached.
 *
 * @param cpuPixels the sink reads pixels with the CPU (a file sink); false if it can import
 *     dma-buf fds itself (a GL sink)
 * @param consistent the sink needs bytes that do not change while it reads them (a snapshot,
 *     not a live view of region memory)
 * @param formats formats it accepts as they are; empty means any known format
 * @param maxFps the highest rate it wants, 0 for "whatever the device delivers"
 * @param lowLatency a person is watching what it shows (a window, a remote viewer): while such a
 *     sink is attached the pipeline never backs off to its idle interval and may poll faster than
 *     {@code maxFps} (within a CPU budget) so that a change reaches the sink sooner; frames are
 *     still delivered at no more than {@code maxFps} on average. False for sinks that record or
 *     snapshot (a file sink), which let an unchanging screen be polled rarely.
 */
public record SinkNeeds(boolean cpuPixels, boolean consistent, Set<DrmFormat> formats, double maxFps,
        boolean lowLatency) {

    /**
     * Copies the formats and checks the rate.
     *
     * @param cpuPixels the sink reads pixels with the CPU
     * @param consistent the sink needs bytes that do not change while it reads them
     * @param formats formats it accepts as they are; empty means any known format
     * @param maxFps the highest rate it wants, 0 for any
     * @param lowLatency a person is watching what it shows
     * @throws IllegalArgumentException when {@code maxFps} is negative or NaN
     */
    public SinkNeeds {
        formats = Set.copyOf(formats);
        if (!(maxFps >= 0)) {
            throw new IllegalArgumentException("maxFps must be >= 0, got " + maxFps);
        }
    }

    /**
     * Needs that do not ask for low latency (the form before {@code lowLatency} existed).
     *
     * @param cpuPixels the sink reads pixels with the CPU
     * @param consistent the sink needs bytes that do not change while it reads them
     * @param formats formats it accepts as they are; empty means any known format
     * @param maxFps the highest rate it wants, 0 for any
     */
    public SinkNeeds(boolean cpuPixels, boolean consistent, Set<DrmFormat> formats, double maxFps) {
        this(cpuPixels, consistent, formats, maxFps, false);
    }

    /**
     * The same needs, asking for low latency or not.
     *
     * @param on whether to ask for low latency
     * @return the new needs
     */
    public SinkNeeds withLowLatency(boolean on) {
        return new SinkNeeds(cpuPixels, consistent, formats, maxFps, on);
    }

    /** {@return the needs of a CPU sink that wants consistent bytes in any format at any rate} */
    public static SinkNeeds cpuSnapshots() {
        return new SinkNeeds(true, true, Set.of(), 0);
    }
}
