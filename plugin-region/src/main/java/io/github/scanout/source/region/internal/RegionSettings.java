package io.github.scanout.source.region.internal;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.Map;

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
            throw new IllegalArgumentException("snapshot.buffers must be >= 1, got " + snapshotBuffers);
        }
        if (maxBackoffMillis < 0) {
            throw new IllegalArgumentException("max.backoff.millis must be >= 0, got " + maxBackoffMillis);
        }
    }

    public static RegionSettings defaults() {
        return new RegionSettings(DEFAULT_QUERY_CURSOR, DEFAULT_SNAPSHOT_BUFFERS, DEFAULT_MAX_BACKOFF_MILLIS);
    }

    /** The keys, as {@link RegionConfig} declares them. */
    public static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(RegionConfig.class);

    /**
     * Settings from a configuration's raw properties (absent keys take their defaults); its
     * warnings (unknown keys, old spellings) are logged.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration, the
     *     key, the value and the rule
     */
    public static RegionSettings from(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(ConfigReader.source(properties, RegionPlaneSource.PID), KEYS, properties);
        Reporter log = Reporter.system(RegionPlaneSource.PID);
        r.warnings().forEach(log::warn);
        // thrown: SCR logs it (the runtime folds that into one line); logging it here too would say it twice
        r.check();
        return new RegionSettings(r.bool("query.cursor"), r.integer("snapshot.buffers"), r.whole("max.backoff.millis"));
    }

    public RegionSettings withQueryCursor(boolean on) {
        return new RegionSettings(on, snapshotBuffers, maxBackoffMillis);
    }
}
