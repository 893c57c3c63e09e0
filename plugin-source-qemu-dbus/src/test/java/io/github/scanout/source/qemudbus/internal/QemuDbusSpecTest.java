package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.Devices;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code qemu-dbus:} specs: the accepted forms, and one line naming the spec for each mistake. */
class QemuDbusSpecTest {

    @Test
    void theQmpSocketAndTheConsole() throws Exception {
        assertThat(QemuDbusSpec.parse("qemu-dbus:qmp:/run/vm1/qmp.sock"))
            .isEqualTo(new QemuDbusSpec(Path.of("/run/vm1/qmp.sock"), 0));
        assertThat(QemuDbusSpec.parse("qemu-dbus:qmp:/run/vm1/qmp.sock?console=2"))
            .isEqualTo(new QemuDbusSpec(Path.of("/run/vm1/qmp.sock"), 2));
        assertThat(QemuDbusSpec.parse("QEMU-DBUS:qmp:/q?console=255").console()).isEqualTo(255);
    }

    void refused(String spec, String message) {
        assertThatThrownBy(() -> QemuDbusSpec.parse(spec)).isInstanceOf(DeviceException.class)
            .hasMessage(message);
    }

    @Test
    void eachMistakeIsOneLineNamingTheSpec() {
        String form = "expected qemu-dbus:qmp:/path/to/qmp.sock?console=N";
        refused("qemu-dbus:unix:/q", "spec 'qemu-dbus:unix:/q' is not a qemu-dbus device: " + form);
        refused("qemu-dbus:qmp:q.sock", "spec 'qemu-dbus:qmp:q.sock': the QMP socket 'q.sock' is not an absolute"
            + " path of at most 107 characters: " + form);
        String longPath = "/" + "a".repeat(107);
        refused("qemu-dbus:qmp:" + longPath, "spec 'qemu-dbus:qmp:" + longPath + "': the QMP socket '" + longPath
            + "' is not an absolute path of at most 107 characters: " + form);
        refused("qemu-dbus:qmp:/q?head=1", "spec 'qemu-dbus:qmp:/q?head=1': unknown option 'head': " + form);
        refused("qemu-dbus:qmp:/q?Console=1", "spec 'qemu-dbus:qmp:/q?Console=1': unknown option 'Console': " + form);
        refused("qemu-dbus:qmp:/q?console", "spec 'qemu-dbus:qmp:/q?console': option 'console' has no value: " + form);
        refused("qemu-dbus:qmp:/q?console=1&console=2",
            "spec 'qemu-dbus:qmp:/q?console=1&console=2': option 'console' is given twice");
        assertThatThrownBy(() -> QemuDbusSpec.parse("qemu-dbus:qmp:/q?console=x")).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("spec 'qemu-dbus:qmp:/q?console=x': console = 'x' is refused: ")
            .hasMessageContaining("0 to 255");
        assertThatThrownBy(() -> QemuDbusSpec.parse("qemu-dbus:qmp:/q?console=256")).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("spec 'qemu-dbus:qmp:/q?console=256': console = '256' is refused: ");
    }

    @Test
    void coreFindsTheSchemeThroughServiceLoader() {
        assertThat(new Devices().schemes()).contains("qemu-dbus");
        assertThatThrownBy(() -> new Devices().open("qemu-dbus:qmp:/q?x=1")).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("spec 'qemu-dbus:qmp:/q?x=1': unknown option 'x'");
    }
}
