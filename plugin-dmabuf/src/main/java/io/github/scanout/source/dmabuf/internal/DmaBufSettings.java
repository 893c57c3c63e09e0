package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.Map;

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
            throw new IllegalArgumentException("cache.entries must be >= 1, got " + cacheEntries);
        }
        if (cacheBytes < 1) {
            throw new IllegalArgumentException("cache.bytes must be >= 1, got " + cacheBytes);
        }
        if (snapshotBuffers < 1) {
            throw new IllegalArgumentException("snapshot.buffers must be >= 1, got " + snapshotBuffers);
        }
        if (maxBackoffMillis < 0) {
            throw new IllegalArgumentException("max.backoff.millis must be >= 0, got " + maxBackoffMillis);
        }
    }

    public static DmaBufSettings defaults() {
        return new DmaBufSettings(DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_BYTES, DEFAULT_SNAPSHOT_BUFFERS,
                DEFAULT_MAX_BACKOFF_MILLIS);
    }

    /** The keys, as {@link DmaBufConfig} declares them. */
    public static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(DmaBufConfig.class);

    /**
     * Settings from a configuration's raw properties (absent keys take their defaults); its
     * warnings (unknown keys, old spellings) are logged.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration, the
     *     key, the value and the rule
     */
    public static DmaBufSettings from(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(ConfigReader.source(properties, DmaBufPlaneSource.PID), KEYS, properties);
        Reporter log = Reporter.system(DmaBufPlaneSource.PID);
        r.warnings().forEach(log::warn);
        // thrown: SCR logs it (the runtime folds that into one line); logging it here too would say it twice
        r.check();
        return new DmaBufSettings(r.integer("cache.entries"), r.whole("cache.bytes"), r.integer("snapshot.buffers"),
                r.whole("max.backoff.millis"));
    }

    public DmaBufSettings withCache(int entries, long bytes) {
        return new DmaBufSettings(entries, bytes, snapshotBuffers, maxBackoffMillis);
    }
}
