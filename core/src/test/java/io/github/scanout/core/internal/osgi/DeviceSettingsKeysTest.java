package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The keys the unknown-key warning accepts are exactly the attributes of the typed configuration. */
class DeviceSettingsKeysTest {

    @Test
    void theKnownKeysAreTheConfigurationsAttributes() {
        String[] attributes = Arrays.stream(DeviceConfig.class.getDeclaredMethods()).map(Method::getName)
                .map(n -> n.replace('_', '.')).toArray(String[]::new);
        assertThat(DeviceSettings.KEYS).containsExactlyInAnyOrder(attributes);
        assertThat(DeviceSettings.unknownKeys(DeviceSettings.KEYS)).isEmpty();
    }
}
