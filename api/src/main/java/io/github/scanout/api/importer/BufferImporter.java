package io.github.scanout.api.importer;

import io.github.scanout.api.buffer.PlaneBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes CPU pixels of a buffer the CPU cannot read ({@link PlaneBuffer#cpuReadable()} false,
 * for example a dma-buf whose producer refuses mmap).
 *
 * <p>The pipeline asks importers only for buffers that are not CPU-readable and only when an
 * attached sink declares {@link io.github.scanout.api.sink.SinkNeeds#cpuPixels()}. It asks them
 * in order (service ranking, highest first) and uses the first whose {@link #canImport} says
 * yes and whose {@link #importToCpu} succeeds; one import per captured buffer is shared by all
 * the sinks that need it.
 *
 * <p>Threads: called on sink delivery threads of any pipeline, possibly concurrently for
 * different buffers; implementations must be thread-safe. A slow import delays only the CPU
 * sinks waiting for that buffer, never capture.
 */
@ConsumerType
public interface BufferImporter {

    /** {@return a short name for logs and messages, for example {@code "gl-headless"}} */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Whether this importer can read this buffer (its memory kind, dma-buf, format and
     * modifier). Cheap, no side effects; the lease stays the caller's.
     *
     * @param buffer a lease the caller keeps owning
     * @return true when {@link #importToCpu} may be tried on it
     */
    boolean canImport(PlaneBuffer buffer);

    /**
     * Reads the buffer's pixels into memory the CPU can read.
     *
     * @param buffer a lease the caller keeps owning (the importer may
     *     {@linkplain PlaneBuffer#retain() retain} it for the duration of the call)
     * @return a new lease the caller owns, on a CPU-readable, consistent buffer
     *     ({@link io.github.scanout.api.buffer.MemoryKind#SNAPSHOT}) showing the same plane:
     *     same format, width and height, linear (detiled) layout
     * @throws Exception with a one-line message for the operator when the import fails
     */
    PlaneBuffer importToCpu(PlaneBuffer buffer) throws Exception;
}
