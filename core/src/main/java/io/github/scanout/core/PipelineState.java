package io.github.scanout.core;

/**
 * What a pipeline is doing, as {@link PipelineStats#state()} reports it. The states where sinks
 * get {@link io.github.scanout.api.sink.FrameSink#noSignal(String) noSignal} say so.
 */
public enum PipelineState {
    /** Opening the device or probing plane sources. */
    STARTING,
    /** Capturing: sinks get frames. */
    RUNNING,
    /** The guest has not set a display mode (the primary plane is disabled); sinks get noSignal. */
    NO_SIGNAL,
    /** No registered plane source can read the device; sinks get noSignal naming each probe's answer. */
    NO_SOURCE,
    /**
     * The device keeps answering with errors that are neither transient nor "gone"; capture goes
     * on with back-off and sinks get noSignal naming the error.
     */
    ERROR,
    /**
     * A device call has not returned within the stall timeout (an ioctl blocks); sinks get noSignal,
     * the other pipelines are unaffected, and capture resumes if the call returns.
     */
    STALLED,
    /** The device cannot be opened; nothing is polled until a reopen. */
    FAILED,
    /** The device vanished (ENODEV): reported once, polling stopped, everything released until a reopen. */
    GONE,
    /** Closed. */
    CLOSED
}
