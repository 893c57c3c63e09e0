package io.github.scanout.api.sink;

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
 */
public record SinkOutput(long frames, long bytes, String lastError) {

    /** Nothing written yet, no error. */
    public static final SinkOutput NONE = new SinkOutput(0, 0, "");

    /**
     * Checks the counts.
     *
     * @param frames frames written
     * @param bytes bytes written
     * @param lastError why the last write failed, or empty
     * @throws IllegalArgumentException for a negative count
     */
    public SinkOutput {
        Objects.requireNonNull(lastError, "lastError");
        if (frames < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative count: frames " + frames + ", bytes " + bytes);
        }
    }
}
