package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One way of writing frames (PNG files, a raw stream, a Y4M stream). A failed write leaves no
 * partial file or partial frame behind and throws; the sink decides about retrying.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
interface Output {

    /**
     * Writes one image.
     *
     * @return the bytes written to the file system for it (a stream's header included)
     */
    long write(Shot shot) throws IOException;

    /** Where it writes (the directory or the current stream file), for messages. */
    Path target();

    /** Closes any open file; the next write starts again (a new stream file). Never throws. */
    void release();

    /** Releases and frees everything (native zlib state). Never throws. */
    default void close() {
        release();
    }
}
