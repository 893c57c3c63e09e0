package io.github.scanout.api.sink;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives what a device shows.
 *
 * <p>Threads: every method is called on this sink's own delivery thread, one call at a time,
 * never on the capture thread. A method that throws is counted and logged at a limited rate;
 * delivery goes on.
 */
@ConsumerType
public interface FrameSink {

    /**
     * The service property (and sink configuration key) naming the device a sink is for: a
     * pipeline attaches the sink services whose {@code device} equals its device's name.
     */
    String DEVICE_PROPERTY = "device";

    /**
     * The service property (and sink configuration key) naming a sink in stats, logs and its
     * thread; without it the configuration's PID is used.
     */
    String NAME_PROPERTY = "sink.name";

    /**
     * The prefix of the factory PIDs of Scanout's own sink types: {@code io.github.scanout.sink.file}
     * is the {@code file} sink type. A third party's sink type may use any factory PID; its type
     * name is the PID's last segment.
     */
    String FACTORY_PID_PREFIX = "io.github.scanout.sink.";

    /** {@return what this sink can take; read once when it is attached} */
    SinkNeeds needs();

    /**
     * A new primary frame (and the cursor at that time).
     *
     * @param frame the frame; its leases are the pipeline's, valid until this method returns
     * @throws Exception when the sink fails on it; counted and logged, delivery goes on
     */
    void frame(Frame frame) throws Exception;

    /**
     * The cursor moved or changed without a new primary frame.
     *
     * @param cursor the cursor; its lease is the pipeline's, valid until this method returns
     * @throws Exception when the sink fails on it; counted and logged, delivery goes on
     */
    default void cursor(CursorState cursor) throws Exception {}

    /**
     * There is nothing to show: the guest has not set a mode yet, the device is gone, or its
     * buffers cannot be read by this sink (a CPU sink and a dma-buf no importer could read).
     *
     * @param reason one line for the operator
     * @throws Exception when the sink fails on it; counted and logged, delivery goes on
     */
    default void noSignal(String reason) throws Exception {}

    /** The sink was detached from its device; release what it holds. */
    default void detached() {}
}
