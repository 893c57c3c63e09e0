package io.github.scanout.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the check the launcher runs on a {@code --device sim:...} before anything starts
 * ({@link SimDevices#check}, named by the sim bundle's {@code Scanout-Spec-Check} header), against
 * what opening the device then says ({@link SimDevices#create}).
 *
 * <p>Input: the spec's bytes as UTF-8 (with {@code sim:} put in front unless byte 0 is 0xff, so
 * most inputs reach the options).
 *
 * <p>Contract: the check never throws; it passes exactly the specs that {@code create} accepts;
 * what it refuses gets one line that names the spec, with no line break the spec did not bring
 * (the launcher prints it as {@code scanout: LINE}, exit status 2).
 */
class SpecCheckFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void check(byte[] data) {
        String text = data.length > 0 && (data[0] & 0xff) == 0xff
                ? new String(data, 1, data.length - 1, StandardCharsets.UTF_8)
                : "sim:" + new String(data, StandardCharsets.UTF_8);
        String problem = SimDevices.check(text);
        String created;
        try {
            SimDevices.create(text);
            created = null;
        } catch (DeviceException | IllegalArgumentException e) {
            created = e.getMessage();
        }
        assertThat(problem).as("check and create agree on %s", text).isEqualTo(created);
        if (problem != null) {
            assertThat(problem).isNotBlank();
            if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
                assertThat(problem).as("one line").doesNotContain("\n").doesNotContain("\r");
            }
        }
    }
}
