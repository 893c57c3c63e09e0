package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.testsupport.FuzzBytes;
import java.lang.annotation.Annotation;
import io.github.scanout.api.support.ConfigException;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;

/**
 * Fuzzes a device configuration as ConfigAdmin hands it to {@link DeviceComponent}: every value
 * of the keys {@link DeviceConfig} declares is operator text, checked by {@link DeviceSettings#parse}.
 *
 * <p>Input: nine strings, one per property of {@link DeviceConfig} in declaration order, each a
 * length byte (255: the property is null, as a typed {@code .config} file can make it) and that
 * many bytes of UTF-8.
 *
 * <p>Contract: settings whose every value is inside the documented range, or an
 * {@link IllegalArgumentException} whose one line names the configuration, the key and the
 * value. Nothing else escapes.
 */
class DeviceConfigFuzzTest {

    static final String PID = "io.github.scanout.device~fuzz";

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        String[] v = new String[9];
        for (int i = 0; i < v.length; i++) {
            int n = in.u8();
            v[i] = n == 255 ? null : new String(in.bytes(n), java.nio.charset.StandardCharsets.UTF_8);
        }
        // read after the first nine so the committed inputs keep their meaning
        int rn = in.u8();
        String rescan = rn == 255 ? null : new String(in.bytes(rn), java.nio.charset.StandardCharsets.UTF_8);
        String[] keys = {"spec", "name", "rate", "buffer.type", "queue.depth", "idle.ms", "stall.timeout.ms",
            "opaque.refresh.ms", "sinks.target"};
        Map<String, Object> config = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (v[i] != null) {
                config.put(keys[i], v[i]);
            }
        }
        if (rescan != null) {
            config.put("rescan.ms", rescan);
        }
        config.put("service.pid", PID);
        DeviceSettings s;
        try {
            s = DeviceSettings.parse(config, PID);
        } catch (IllegalArgumentException e) {
            assertThat(e).isInstanceOf(ConfigException.class);
            assertThat(e.getMessage()).startsWith("configuration " + PID + ": ")
                    .matches("(?s)configuration \\S+: (spec|rate|buffer\\.type|queue\\.depth|idle\\.ms|stall\\.timeout\\.ms"
                            + "|opaque\\.refresh\\.ms|rescan\\.ms|sinks\\.target)( = .* is refused: | is missing; ).*");
            return;
        }
        assertThat(s.pid()).isEqualTo(PID);
        assertThat(s.spec()).isNotBlank().isEqualTo(v[0].trim());
        assertThat(s.name()).isNotBlank();
        PipelineOptions o = s.options();
        assertThat(o.maxRate()).isBetween(0.1, PipelineOptions.MAX_RATE);
        assertThat(o.queueDepth()).isBetween(1, PipelineOptions.MAX_QUEUE_DEPTH);
        assertThat(o.idleInterval()).isBetween(Duration.ofMillis(1), Duration.ofHours(1));
        assertThat(o.stallTimeout()).isBetween(Duration.ofMillis(1), Duration.ofHours(1));
        assertThat(o.opaqueRefresh()).isBetween(Duration.ZERO, Duration.ofHours(1));
        o.bufferType().ifPresent(t -> assertThat(t).isNotBlank().isEqualTo(t.trim()));
    }
}
