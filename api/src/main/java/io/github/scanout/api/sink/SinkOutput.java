package io.github.scanout.api.sink;

import java.util.List;
import java.util.Objects;

/**
 * What a sink has done with the frames it received, as opposed to what it received: a frame
 * the pipeline delivered may still not reach the disk (directory not writable, disk full) or
 * may be skipped by the sink's own rules (rate limit, only when changed).
 *
 * <p>"Written" is the sink's own job done for a frame: a file sink counts a frame when its bytes
 * are in the file (a PNG renamed into place, a stream frame appended whole); a window counts a
 * frame when it was drawn, whether or not anybody looks at it; a network sink with no client
 * connected counts a frame it would have offered (it did what it was asked).
 *
 * @param frames frames written since the sink started
 * @param bytes bytes written to files or sockets since the sink started (0 for a sink that
 *     writes none, such as a window)
 * @param lastError one line on why the last write failed, empty when the last write succeeded
 *     or none failed
 * @param clients the clients a sink that serves several (a VNC sink's viewers) serves right now,
 *     each with its own counters; empty for other sinks. {@code frames} and {@code bytes} stay the
 *     sink's totals, clients that are gone included.
 */
public record SinkOutput(long frames, long bytes, String lastError, List<SinkClient> clients) {

    /** Nothing written yet, no error. */
    public static final SinkOutput NONE = new SinkOutput(0, 0, "");

    /**
     * Checks the counts.
     *
     * @param frames frames written
     * @param bytes bytes written
     * @param lastError why the last write failed, or empty
     * @param clients the clients served now, each with its counters
     * @throws IllegalArgumentException for a negative count
     */
    public SinkOutput {
        Objects.requireNonNull(lastError, "lastError");
        clients = List.copyOf(clients);
        if (frames < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative count: frames " + frames + ", bytes " + bytes);
        }
    }

    /**
     * The counts of a sink that reports no clients.
     *
     * @param frames frames written
     * @param bytes bytes written
     * @param lastError why the last write failed, or empty
     * @throws IllegalArgumentException for a negative count
     */
    public SinkOutput(long frames, long bytes, String lastError) {
        this(frames, bytes, lastError, List.of());
    }
}
