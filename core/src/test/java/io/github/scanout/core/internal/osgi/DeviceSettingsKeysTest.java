package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys read are exactly the attributes of {@link DeviceConfig}, with the ranges it declares. */
class DeviceSettingsKeysTest {

    @Test
    void theKnownKeysAreTheConfigurationsAttributes() {
        String[] attributes = Arrays.stream(DeviceConfig.class.getDeclaredMethods()).map(Method::getName)
                .map(n -> n.replace('_', '.')).toArray(String[]::new);
        assertThat(DeviceSettings.KEYS).extracting(ConfigKey::name).containsExactlyInAnyOrder(attributes);
        ConfigKey depth = DeviceSettings.KEYS.stream().filter(k -> k.name().equals("queue.depth")).findFirst().orElseThrow();
        assertThat(depth.check("64")).isNull();
        assertThat(depth.check("65")).isEqualTo("a whole number from 1 to 64");
    }

    @Test
    void aCaseVariantIsAnUnknownKeyAndTheDeviceStillReads() {
        ConfigReader r = DeviceSettings.read(Map.of("spec", "sim:mbochs", "RATE", "5", "service.pid", "d~1"), "d");
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).containsExactly("configuration d~1: unknown key 'RATE' (keys are case-sensitive: did"
                + " you mean rate?) is ignored; the keys are spec, name, rate, buffer.type, queue.depth, idle.ms,"
                + " stall.timeout.ms, opaque.refresh.ms, rescan.ms, sinks.target");
        assertThat(DeviceSettings.parse(r, "d~1").options().maxRate()).isEqualTo(60);
    }
}
