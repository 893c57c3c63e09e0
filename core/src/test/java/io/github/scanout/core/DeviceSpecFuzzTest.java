package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes device spec resolution, {@link Devices#open(String)}: mdev UUIDs, sysfs paths and
 * {@code scheme:...} specs, through the simulator's provider and its spec parser
 * ({@code sim:mbochs?mode=WxH&type=...}), with an empty fake sysfs and /dev.
 *
 * <p>Input: the spec as UTF-8.
 *
 * <p>Contract: a device that opens (and is closed again), or a {@link DeviceException} with a
 * message that quotes the spec or names what is expected. Nothing else escapes, and no fd is
 * left open.
 */
class DeviceSpecFuzzTest {

    static Path root;
    static Path sys;
    static Path dev;

    @BeforeAll
    static void tree() throws IOException {
        root = Files.createTempDirectory("scanout-spec-fuzz");
        sys = Files.createDirectories(root.resolve("sys/bus/mdev/devices"));
        dev = Files.createDirectories(root.resolve("dev/vfio"));
    }

    @AfterAll
    static void removeTree() throws IOException {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void open(byte[] data) {
        String spec = new String(data, StandardCharsets.UTF_8);
        Devices devices = new Devices(List.of(new SimDeviceProvider()), null, root.resolve("sys"), root.resolve("dev"));
        Map<Integer, String> before = Resources.fdSnapshot();
        try (GfxDevice d = devices.open(spec)) {
            assertThat(d.name()).isEqualTo(spec);
            assertThat(spec.trim()).startsWith("sim:");
        } catch (DeviceException e) {
            assertThat(e.getClass()).isEqualTo(DeviceException.class);
            assertThat(e.getMessage()).isNotBlank();
            String message = e.getMessage().toLowerCase(java.util.Locale.ROOT); // UUIDs are named lower-cased
            assertThat(message.contains(spec.trim().toLowerCase(java.util.Locale.ROOT))
                    || message.contains("empty device spec")).as("names the spec: %s", e.getMessage()).isTrue();
        }
        assertThat(Resources.fdsOpenedSince(before)).as("fds left open").isEmpty();
    }
}
