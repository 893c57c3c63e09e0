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
 */
public record SinkNeeds(boolean cpuPixels, boolean consistent, Set<DrmFormat> formats, double maxFps) {

    public SinkNeeds {
        formats = Set.copyOf(formats);
        if (!(maxFps >= 0)) {
            throw new IllegalArgumentException("maxFps must be >= 0, got " + maxFps);
        }
    }

    /** A CPU sink that wants consistent bytes in any format at any rate. */
    public static SinkNeeds cpuSnapshots() {
        return new SinkNeeds(true, true, Set.of(), 0);
    }
}
