package io.github.scanout.core.internal.jmx;

/**
 * One device pipeline, as JMX shows it: {@code io.github.scanout:type=Device,name="NAME"}.
 * Every attribute is read from the pipeline's stats when asked. Counters count since the
 * pipeline opened.
 */
public interface DeviceMXBean {
    String getName();

    String getSpec();

    /** {@code RUNNING}, {@code NO_SIGNAL}, {@code FAILED}... (core's {@code PipelineState}). */
    String getState();

    /** Why it is in that state, empty when running. */
    String getReason();

    /** The plane source capturing it (region, dmabuf), empty before one is chosen. */
    String getSource();

    long getPolls();

    long getFramesCaptured();

    long getFramesUnchanged();

    long getFramesDelivered();

    long getFramesDropped();

    long getDeviceErrors();

    long getSinkErrors();

    long getLatencyP50Micros();

    long getLatencyP99Micros();

    /** The names of the attached sinks (each has a {@link SinkMXBean}). */
    String[] getSinks();
}
