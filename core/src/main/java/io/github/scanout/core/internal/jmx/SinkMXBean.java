package io.github.scanout.core.internal.jmx;

/**
 * One sink attached to a device pipeline, as JMX shows it:
 * {@code io.github.scanout:type=Sink,device="DEVICE",name="NAME"}. Read when asked.
 */
public interface SinkMXBean {
    String getName();

    String getDevice();

    /**
     * {@code RUNNING}; {@code NO_PICTURE} when it cannot read the device's frames;
     * {@code FAILING} when its last frame was not written (see {@link #getLastError}).
     */
    String getState();

    int getQueued();

    /** Frames it received. */
    long getFramesDelivered();

    long getFramesDropped();

    long getFramesWritten();

    long getBytesWritten();

    long getErrors();

    long getLatencyP50Micros();

    long getLatencyP99Micros();

    String getLastError();

    String getNoPicture();

    /**
     * The clients it serves now (a VNC sink's viewers), one line each as {@code scanout:stats}
     * shows them: id, peer, since, bytes, updates, coalesced frames, rectangles by encoding.
     */
    String[] getClients();
}
