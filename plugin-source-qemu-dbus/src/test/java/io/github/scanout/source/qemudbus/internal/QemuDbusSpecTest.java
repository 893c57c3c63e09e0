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

    /**
     * A bus address: the first {@code ?} ends it (a D-Bus address holds no unescaped {@code ?}),
     * a {@code guid} as {@code dbus-daemon --print-address} writes it is kept.
     */
    @Test
    void aBusAddressAndTheConsole() throws Exception {
        assertThat(QemuDbusSpec.parse("qemu-dbus:bus:unix:path=/run/libvirt/qemu/dbus/3-vm1-dbus.sock?console=1"))
            .isEqualTo(new QemuDbusSpec(null, "unix:path=/run/libvirt/qemu/dbus/3-vm1-dbus.sock", 1));
        QemuDbusSpec s = QemuDbusSpec.parse("qemu-dbus:bus:unix:path=/tmp/b.sock,guid=d4cc2076ddeb56900a33b6496b15d490");
        assertThat(s.bus()).isEqualTo("unix:path=/tmp/b.sock,guid=d4cc2076ddeb56900a33b6496b15d490");
        assertThat(s.qmp()).isNull();
        assertThat(s.console()).isZero();
        assertThat(s.where()).isEqualTo("D-Bus bus unix:path=/tmp/b.sock,guid=d4cc2076ddeb56900a33b6496b15d490");
    }

    @Test
    void eachBadBusAddressIsOneLineNamingTheSpecAndWhy() {
        String form = QemuDbusSpec.FORM;
        refused("qemu-dbus:bus:tcp:host=localhost,port=1", "spec 'qemu-dbus:bus:tcp:host=localhost,port=1': the bus"
            + " address 'tcp:host=localhost,port=1' is refused: only a unix: address with path= is supported: " + form);
        refused("qemu-dbus:bus:unix:path=/a;unix:path=/b", "spec 'qemu-dbus:bus:unix:path=/a;unix:path=/b': the bus"
            + " address 'unix:path=/a;unix:path=/b' is refused: one address, not a list: " + form);
        refused("qemu-dbus:bus:unix:abstract=x", "spec 'qemu-dbus:bus:unix:abstract=x': the bus address"
            + " 'unix:abstract=x' is refused: key 'abstract' is not path or guid (only unix:path= is supported): " + form);
        refused("qemu-dbus:bus:unix:path=/a%20b", "spec 'qemu-dbus:bus:unix:path=/a%20b': the bus address"
            + " 'unix:path=/a%20b' is refused: the value of path is empty or has a character outside -0-9A-Za-z_/.\\*"
            + " (no %-escapes): " + form);
        refused("qemu-dbus:bus:unix:path=/a,path=/b", "spec 'qemu-dbus:bus:unix:path=/a,path=/b': the bus address"
            + " 'unix:path=/a,path=/b' is refused: key 'path' is given twice: " + form);
        refused("qemu-dbus:bus:unix:path=rel", "spec 'qemu-dbus:bus:unix:path=rel': the bus address 'unix:path=rel'"
            + " is refused: path= is not an absolute path of at most 107 characters: " + form);
        refused("qemu-dbus:bus:unix:guid=ab", "spec 'qemu-dbus:bus:unix:guid=ab': the bus address 'unix:guid=ab'"
            + " is refused: path= is not an absolute path of at most 107 characters: " + form);
        refused("qemu-dbus:bus:unix:path=/b?screen=1", "spec 'qemu-dbus:bus:unix:path=/b?screen=1': unknown option"
            + " 'screen': " + form);
    }

    void refused(String spec, String message) {
        assertThatThrownBy(() -> QemuDbusSpec.parse(spec)).isInstanceOf(DeviceException.class)
            .hasMessage(message);
    }

    @Test
    void eachMistakeIsOneLineNamingTheSpec() {
        String form = QemuDbusSpec.FORM;
        assertThat(form).isEqualTo("expected qemu-dbus:qmp:/path/to/qmp.sock?console=N or"
            + " qemu-dbus:bus:unix:path=/path/to/bus.sock?console=N");
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
