package io.github.scanout.source.region.internal;

/**
 * What a region session does, validated; built from {@link RegionConfig} inside OSGi or
 * directly when embedding.
 *
 * @param queryCursor whether to ask the device for a cursor plane (off: cursor acquires answer
 *     "no cursor" without a query)
 * @param snapshotBuffers pooled copies per plane, 1 or more
 * @param maxBackoffMillis longest wait between retries after transient errors, 0 or more
 */
public record RegionSettings(boolean queryCursor, int snapshotBuffers, long maxBackoffMillis) {
    public static final boolean DEFAULT_QUERY_CURSOR = false;
    public static final int DEFAULT_SNAPSHOT_BUFFERS = 4;
    public static final long DEFAULT_MAX_BACKOFF_MILLIS = 1000;

    public RegionSettings {
        if (snapshotBuffers < 1) {
            throw new IllegalArgumentException("snapshotBuffers must be >= 1, got " + snapshotBuffers);
        }
        if (maxBackoffMillis < 0) {
            throw new IllegalArgumentException("maxBackoffMillis must be >= 0, got " + maxBackoffMillis);
        }
    }

    public static RegionSettings defaults() {
        return new RegionSettings(DEFAULT_QUERY_CURSOR, DEFAULT_SNAPSHOT_BUFFERS, DEFAULT_MAX_BACKOFF_MILLIS);
    }

    public static RegionSettings from(RegionConfig c) {
        return new RegionSettings(c.queryCursor(), c.snapshotBuffers(), c.maxBackoffMillis());
    }

    public RegionSettings withQueryCursor(boolean on) {
        return new RegionSettings(on, snapshotBuffers, maxBackoffMillis);
    }
}
