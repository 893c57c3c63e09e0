package io.github.scanout.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher's check of a {@code sim:} spec: what creating it would say, nothing opened. */
class SimDevicesCheckTest {

    @Test
    void aSpecThatNamesADeviceIsAcceptedAndOneThatCannotIsOneLine() {
        assertThat(SimDevices.check("sim:mbochs?mode=800x600&mmap=allow")).isNull();
        assertThat(SimDevices.check("sim:mdpy-vga")).isNull();
        for (String bad : new String[] {"sim:mbochs?mode=-5x-5", "sim:mbochs?foo=bar", "sim:gvt?tiling=z", "sim:nonesuch",
            "sim:"}) {
            assertThat(SimDevices.check(bad)).as(bad).isNotBlank().doesNotContain("\n").contains("spec '" + bad + "'");
        }
    }
}
