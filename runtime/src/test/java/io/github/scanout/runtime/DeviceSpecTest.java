package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Demo defaults: simulated dma-buf devices get a mode and CPU-mappable buffers unless the spec says. */
class DeviceSpecTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "sim:mbochs|sim:mbochs?mode=1024x768&mmap=allow",
        "sim:mbochs?type=large|sim:mbochs?type=large&mode=1024x768&mmap=allow",
        "sim:mbochs?mode=640x480|sim:mbochs?mode=640x480&mmap=allow",
        "sim:mbochs?mmap=refuse|sim:mbochs?mmap=refuse&mode=1024x768",
        "sim:mbochs?mode=800x600&mmap=refuse|sim:mbochs?mode=800x600&mmap=refuse",
        "sim:gvt|sim:gvt?mmap=allow",
        "sim:gvt?tiling=x|sim:gvt?tiling=x&mmap=allow",
        "sim:mdpy-xga|sim:mdpy-xga",
        "SIM:MBOCHS|SIM:MBOCHS?mode=1024x768&mmap=allow",
        "5c1e0001-0000-4000-8000-00000000a001|5c1e0001-0000-4000-8000-00000000a001",
        "/sys/bus/mdev/devices/5c1e0001-0000-4000-8000-00000000a001|/sys/bus/mdev/devices/5c1e0001-0000-4000-8000-00000000a001",
    })
    void expands(String given, String opened) throws Exception {
        DeviceSpec d = DeviceSpec.parse(given);
        assertThat(d.name()).isEqualTo(given);
        assertThat(d.spec()).isEqualTo(opened);
        assertThat(d.expanded()).isEqualTo(!given.equals(opened));
        assertThat(d.simulated()).isEqualTo(given.toLowerCase().startsWith("sim:"));
    }
}
