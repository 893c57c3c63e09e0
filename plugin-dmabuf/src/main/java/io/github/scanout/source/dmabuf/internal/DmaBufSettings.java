package io.github.scanout.source.dmabuf.internal;

/**
 * What a dma-buf session does, validated; built from {@link DmaBufConfig} inside OSGi or
 * directly when embedding.
 *
 * @param cacheEntries dma-bufs kept open by the cache, 1 or more (QEMU keeps 5)
 * @param cacheBytes bytes of dma-bufs kept open by the cache, 1 or more; the buffer just used is
 *     kept even when it alone is larger
 * @param snapshotBuffers pooled copies per plane, 1 or more
 * @param maxBackoffMillis longest wait between retries after transient errors, 0 or more
 */
public record DmaBufSettings(int cacheEntries, long cacheBytes, int snapshotBuffers, long maxBackoffMillis) {
    public static final int DEFAULT_CACHE_ENTRIES = 5;
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;
    public static final int DEFAULT_SNAPSHOT_BUFFERS = 4;
    public static final long DEFAULT_MAX_BACKOFF_MILLIS = 1000;

    public DmaBufSettings {
        if (cacheEntries < 1) {
            throw new IllegalArgumentException("cacheEntries must be >= 1, got " + cacheEntries);
        }
        if (cacheBytes < 1) {
            throw new IllegalArgumentException("cacheBytes must be >= 1, got " + cacheBytes);
        }
        if (snapshotBuffers < 1) {
            throw new IllegalArgumentException("snapshotBuffers must be >= 1, got " + snapshotBuffers);
        }
        if (maxBackoffMillis < 0) {
            throw new IllegalArgumentException("maxBackoffMillis must be >= 0, got " + maxBackoffMillis);
        }
    }

    public static DmaBufSettings defaults() {
        return new DmaBufSettings(DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_BYTES, DEFAULT_SNAPSHOT_BUFFERS,
                DEFAULT_MAX_BACKOFF_MILLIS);
    }

    public static DmaBufSettings from(DmaBufConfig c) {
        return new DmaBufSettings(c.cacheEntries(), c.cacheBytes(), c.snapshotBuffers(), c.maxBackoffMillis());
    }

    public DmaBufSettings withCache(int entries, long bytes) {
        return new DmaBufSettings(entries, bytes, snapshotBuffers, maxBackoffMillis);
    }
}
