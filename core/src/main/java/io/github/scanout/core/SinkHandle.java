package io.github.scanout.core;

import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One sink attached to a pipeline. Closing it detaches the sink.
 *
 * <p>Threads: every method may be called from any thread except the sink's own delivery thread
 * (a sink must not detach itself from inside its callbacks: that would wait for itself).
 */
@ProviderType
public interface SinkHandle extends AutoCloseable {

    /** The name it was attached under (its delivery thread is {@code scanout-sink-<name>}). */
    String name();

    /**
     * Its counters now, with the clients it serves now ({@link SinkStats#clients()}: a VNC sink's
     * viewers; none once it is detached). The same as the pipeline's {@code stats()} lists for it.
     */
    SinkStats stats();

    /** Whether it is still attached. */
    boolean attached();

    /**
     * Detaches the sink: no new entries are queued, the call in progress (if any) finishes, the
     * queue is drained (its entries' leases are closed without delivery), {@code detached()} is
     * called on the sink and its thread ends. Waits at most {@code timeout}; idempotent.
     *
     * @return true when the sink's thread ended within the timeout; false when a sink call is
     *     still running (its thread is left to finish on its own and then releases what it holds)
     */
    boolean detach(Duration timeout);

    /** {@link #detach(Duration)} with the pipeline's detach timeout. */
    @Override
    void close();
}
