package io.github.scanout.core.internal.osgi;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.core.PipelineOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A device configuration, checked with the configuration toolkit against the keys
 * {@link DeviceConfig} declares.
 *
 * @param pid the configuration's PID, for messages
 * @param spec the device spec
 * @param name the device name sinks name in their {@code device} property
 * @param options the pipeline options
 */
record DeviceSettings(String pid, String spec, String name, PipelineOptions options) {

    /** The keys of a device configuration, with their rules, as {@link DeviceConfig} declares them. */
    static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(DeviceConfig.class);

    /** Reads a configuration's properties; its warnings (unknown keys, old spellings) are for the caller to log. */
    static ConfigReader read(Map<String, ?> properties, String pid) {
        return new ConfigReader(ConfigReader.source(properties, pid), KEYS, properties);
    }

    /**
     * Checks every value.
     *
     * @throws io.github.scanout.api.support.ConfigException with one line naming the configuration,
     *     the key, the value and what is accepted (the first problem found)
     */
    static DeviceSettings parse(ConfigReader r, String pid) {
        r.check();
        String spec = r.text("spec");
        String name = r.text("name").isEmpty() ? spec : r.text("name");
        PipelineOptions options = PipelineOptions.defaults().withMaxRate(r.number("rate"))
                .withQueueDepth(r.integer("queue.depth"))
                .withIdle(PipelineOptions.defaults().idleAfter(), Duration.ofMillis(r.whole("idle.ms")))
                .withStallTimeout(Duration.ofMillis(r.whole("stall.timeout.ms")))
                .withOpaqueRefresh(Duration.ofMillis(r.whole("opaque.refresh.ms")))
                .withRescan(Duration.ofMillis(r.whole("rescan.ms")));
        String target = r.text("sinks.target");
        if (target != null && !target.isBlank()) {
            try {
                org.osgi.framework.FrameworkUtil.createFilter(target);
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                // SCR would log its own error without the file and bind no sink at all
                r.refuse("sinks.target", "expected an LDAP filter such as (device=*) (" + e.getMessage() + ")");
                r.check();
            } catch (LinkageError noFramework) {
                // outside OSGi (fuzzing): SCR is not there to use it either
            }
        }
        String type = r.text("buffer.type");
        if (!type.isEmpty()) {
            try {
                options = options.withBufferType(type.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                r.refuse("buffer.type", "expected a buffer type name such as dmabuf or region");
                r.check();
            }
        }
        return new DeviceSettings(pid, spec, name, options);
    }

    /** {@link #read} then {@link #parse}, for tests and fuzzing. */
    static DeviceSettings parse(Map<String, ?> properties, String pid) {
        return parse(read(properties, pid), pid);
    }
}
