package io.github.scanout.core.internal.osgi;

import io.github.scanout.core.PipelineOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A device configuration, checked.
 *
 * @param pid the configuration's PID, for messages
 * @param spec the device spec
 * @param name the device name sinks name in their {@code device} property
 * @param options the pipeline options
 */
record DeviceSettings(String pid, String spec, String name, PipelineOptions options) {

    /** The keys of a device configuration, in the order the README lists them. */
    static final List<String> KEYS = List.of("spec", "name", "rate", "buffer.type", "queue.depth", "idle.ms",
            "stall.timeout.ms", "opaque.refresh.ms", "rescan.ms", "sinks.target");

    /**
     * The keys of a configuration that nothing reads (a typo such as {@code rates}): not one of
     * {@link #KEYS}, not a reference target ({@code *.target}), not a framework's own
     * ({@code service.*}, {@code component.*}, {@code felix.fileinstall.*}, {@code osgi.*}); sorted.
     */
    static List<String> unknownKeys(Collection<String> keys) {
        List<String> unknown = new ArrayList<>();
        for (String k : keys) {
            if (!KEYS.contains(k) && !k.endsWith(".target") && !k.startsWith("service.") && !k.startsWith("component.")
                    && !k.startsWith("felix.fileinstall.") && !k.startsWith("osgi.")) {
                unknown.add(k);
            }
        }
        unknown.sort(null);
        return unknown;
    }

    /** The warning for keys nothing reads, naming them, the configuration and the keys that are read. */
    static String unknownKeysMessage(String pid, Object file, List<String> unknown) {
        return "configuration " + pid + (file == null ? "" : " (" + file + ")") + ": unknown key"
                + (unknown.size() == 1 ? " '" + unknown.get(0) + "' is" : "s '" + String.join("', '", unknown) + "' are")
                + " ignored; the keys are " + String.join(", ", KEYS);
    }

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException with one line naming the configuration, the key, the value
     *     and what is accepted (the first problem found)
     */
    static DeviceSettings parse(DeviceConfig config, String pid) {
        // trim() also drops control characters that isBlank() keeps: check what is left after it
        String spec = config.spec() == null ? "" : config.spec().trim();
        if (spec.isEmpty()) {
            throw bad(pid, "spec", config.spec(), "it is required: an mdev UUID, /sys/bus/mdev/devices/<uuid>, or scheme:..."
                    + " such as sim:mbochs");
        }
        String name = config.name() == null || config.name().trim().isEmpty() ? spec : config.name().trim();
        double rate = number(pid, "rate", config.rate(), "polls per second, from 0.1 to 1000, for example 60");
        if (!(rate >= 0.1 && rate <= PipelineOptions.MAX_RATE)) {
            throw bad(pid, "rate", config.rate(), "it must be from 0.1 to 1000 polls per second");
        }
        int depth = (int) whole(pid, "queue.depth", config.queue_depth(), 1, PipelineOptions.MAX_QUEUE_DEPTH);
        long idle = whole(pid, "idle.ms", config.idle_ms(), 1, 3_600_000);
        long stall = whole(pid, "stall.timeout.ms", config.stall_timeout_ms(), 1, 3_600_000);
        long opaque = whole(pid, "opaque.refresh.ms", config.opaque_refresh_ms(), 0, 3_600_000);
        long rescan = whole(pid, "rescan.ms", config.rescan_ms(), 0, 3_600_000);
        PipelineOptions options = PipelineOptions.defaults().withMaxRate(rate).withQueueDepth(depth)
                .withIdle(PipelineOptions.defaults().idleAfter(), Duration.ofMillis(idle))
                .withStallTimeout(Duration.ofMillis(stall)).withOpaqueRefresh(Duration.ofMillis(opaque))
                .withRescan(Duration.ofMillis(rescan));
        String type = config.buffer_type();
        if (type != null && !type.isBlank()) {
            String t = type.trim().toLowerCase(Locale.ROOT);
            try {
                options = options.withBufferType(t);
            } catch (IllegalArgumentException e) {
                throw bad(pid, "buffer.type", type, "it must be a buffer type name such as dmabuf or region");
            }
        }
        return new DeviceSettings(pid, spec, name, options);
    }

    private static double number(String pid, String key, String value, String accepted) {
        try {
            double d = Double.parseDouble(value == null ? "" : value.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(pid, key, value, "it is not a number (" + accepted + ")");
    }

    private static long whole(String pid, String key, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw bad(pid, key, value, "it is not a whole number from " + min + " to " + max);
        }
        if (v < min || v > max) {
            throw bad(pid, key, value, "it must be from " + min + " to " + max);
        }
        return v;
    }

    private static IllegalArgumentException bad(String pid, String key, String value, String why) {
        return new IllegalArgumentException("configuration " + pid + ": " + key + " = "
                + (value == null ? "(missing)" : "'" + value + "'") + " is refused: " + why);
    }
}
