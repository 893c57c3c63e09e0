package io.github.scanout.core;

import io.github.scanout.api.BufferType;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Pipeline} polls and delivers. Immutable; start from {@link #defaults()} and change
 * what you need with the {@code with...} methods, which check their value.
 *
 * @param maxRate the most polls per second (Hz), from 0.1 to 1000; default 60. The loop polls at
 *     the highest rate an attached sink asks for ({@code SinkNeeds.maxFps}, 0 meaning this rate),
 *     capped by this
 * @param idleInterval the longest pause between polls when nothing changes and every sink has the
 *     current frame; default 3 s (what QEMU idles at)
 * @param idleAfter how long nothing must change before the loop starts backing off; default 1 s
 * @param queueDepth entries each sink's queue holds before it drops the oldest, 1 to 64; default 2
 * @param bufferType a forced buffer type ({@code dmabuf}, {@code region}, a vendor's), or empty to
 *     take the highest-priority plane source whose probe succeeds
 * @param stallTimeout how long one device call may take before the pipeline counts as
 *     {@link PipelineState#STALLED STALLED} (sinks get noSignal) and how long {@code close()} waits
 *     for a blocked capture thread; default 2 s
 * @param detachTimeout how long a detach waits for the sink's call in progress; default 2 s
 * @param opaqueRefresh how often to re-deliver a buffer the CPU cannot read (a dma-buf fd) whose
 *     identity has not changed, for producers that draw into the same buffer (the kernel's mbochs,
 *     many GVT guests): their content cannot be compared, so it is re-sent this often; default
 *     {@link #DEFAULT_OPAQUE_REFRESH} (10 Hz); {@link Duration#ZERO} never re-sends (an unchanged
 *     identity is then taken as an unchanged frame, which freezes single-buffer producers)
 * @param rescan how often a pipeline whose device is {@link PipelineState#GONE GONE} tries to open
 *     it again (quietly; it says once when the device is back), when it was built to open the
 *     device by spec; default {@link #DEFAULT_RESCAN} (5 s); {@link Duration#ZERO} never (only a
 *     reopen or a configuration change then opens it again)
 */
public record PipelineOptions(
        double maxRate,
        Duration idleInterval,
        Duration idleAfter,
        int queueDepth,
        Optional<String> bufferType,
        Duration stallTimeout,
        Duration detachTimeout,
        Duration opaqueRefresh,
        Duration rescan) {

    public static final double DEFAULT_RATE = 60;
    public static final int DEFAULT_QUEUE_DEPTH = 2;
    public static final int MAX_QUEUE_DEPTH = 64;
    public static final double MAX_RATE = 1000;
    public static final Duration DEFAULT_OPAQUE_REFRESH = Duration.ofMillis(100);
    public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(5);

    public PipelineOptions {
        if (!(maxRate >= 0.1 && maxRate <= MAX_RATE)) {
            throw new IllegalArgumentException("maxRate must be from 0.1 to " + (int) MAX_RATE + " Hz, got " + maxRate);
        }
        positive("idleInterval", idleInterval);
        nonNegative("idleAfter", idleAfter);
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queueDepth must be from 1 to " + MAX_QUEUE_DEPTH + ", got " + queueDepth);
        }
        Objects.requireNonNull(bufferType, "bufferType");
        bufferType.ifPresent(PipelineOptions::checkTypeName);
        positive("stallTimeout", stallTimeout);
        positive("detachTimeout", detachTimeout);
        nonNegative("opaqueRefresh", opaqueRefresh);
        nonNegative("rescan", rescan);
    }

    /**
     * 60 Hz, idle 3 s after 1 s, queues of 2, any buffer type, 2 s stall and detach timeouts, opaque
     * refresh 100 ms, rescan of a gone device every 5 s.
     */
    public static PipelineOptions defaults() {
        return new PipelineOptions(DEFAULT_RATE, Duration.ofSeconds(3), Duration.ofSeconds(1), DEFAULT_QUEUE_DEPTH,
                Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2), DEFAULT_OPAQUE_REFRESH, DEFAULT_RESCAN);
    }

    public PipelineOptions withMaxRate(double hz) {
        return new PipelineOptions(hz, idleInterval, idleAfter, queueDepth, bufferType, stallTimeout, detachTimeout,
                opaqueRefresh, rescan);
    }

    public PipelineOptions withIdle(Duration after, Duration interval) {
        return new PipelineOptions(maxRate, interval, after, queueDepth, bufferType, stallTimeout, detachTimeout,
                opaqueRefresh, rescan);
    }

    public PipelineOptions withQueueDepth(int depth) {
        return new PipelineOptions(maxRate, idleInterval, idleAfter, depth, bufferType, stallTimeout, detachTimeout,
                opaqueRefresh, rescan);
    }

    /** Forces a buffer type by name; null or empty text un-forces it. */
    public PipelineOptions withBufferType(String type) {
        Optional<String> t = type == null || type.isBlank() ? Optional.empty() : Optional.of(type.trim());
        return new PipelineOptions(maxRate, idleInterval, idleAfter, queueDepth, t, stallTimeout, detachTimeout,
                opaqueRefresh, rescan);
    }

    public PipelineOptions withStallTimeout(Duration timeout) {
        return new PipelineOptions(maxRate, idleInterval, idleAfter, queueDepth, bufferType, timeout, detachTimeout,
                opaqueRefresh, rescan);
    }

    public PipelineOptions withDetachTimeout(Duration timeout) {
        return new PipelineOptions(maxRate, idleInterval, idleAfter, queueDepth, bufferType, stallTimeout, timeout,
                opaqueRefresh, rescan);
    }

    public PipelineOptions withOpaqueRefresh(Duration every) {
        return new PipelineOptions(maxRate, idleInterval, idleAfter, queueDepth, bufferType, stallTimeout, detachTimeout,
                every, rescan);
    }

    public PipelineOptions withRescan(Duration every) {
        return new PipelineOptions(maxRate, idleInterval, idleAfter, queueDepth, bufferType, stallTimeout, detachTimeout,
                opaqueRefresh, every);
    }

    private static void positive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + d);
        }
    }

    private static void nonNegative(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, got " + d);
        }
    }

    private static void checkTypeName(String name) {
        try {
            new BufferType(name, BufferType.DMABUF.flag());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bufferType '" + name + "' is not a buffer type name: "
                    + "lower case, for example dmabuf or region", e);
        }
    }
}
