package io.github.scanout.api.sink;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a {@link FrameSink} that can tell what it wrote apart from what it received
 * ({@link SinkOutput}). The pipeline reads it for its statistics and the launcher for its exit
 * status. A sink that does not implement it is counted as having written every frame its
 * {@link FrameSink#frame(Frame)} method returned from normally.
 *
 * <p>Threads: {@link #output()} may be called from any thread, also while a frame is written
 * and after the sink was detached (it then returns the final counts).
 */
@ConsumerType
public interface CountsOutput {

    /** {@return the counts now} */
    SinkOutput output();
}
