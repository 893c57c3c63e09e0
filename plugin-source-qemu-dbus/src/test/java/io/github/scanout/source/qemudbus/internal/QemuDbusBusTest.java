package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qemu-dbus:bus:ADDRESS} against a real dbus-daemon and a real QEMU 7.2 started with
 * {@code -display dbus,addr=ADDRESS} (standard VGA, no disk: SeaBIOS draws): Scanout connects to
 * the bus ({@code Hello}), registers its listener at {@code org.qemu}, and from there reads the
 * console as in peer-to-peer mode; a frame equals QEMU's screendump pixel for pixel; killing QEMU
 * makes the device gone while the bus lives on; no bus, no QEMU on the bus and no such console
 * are one line each. {@code libvirt:DOMAIN} of a fake run tree whose live status file names this
 * bus (as libvirt writes it for {@code <graphics type='dbus'/>}) reads the same console through
 * core's {@link Devices}.
 */
class QemuDbusBusTest {

    @TempDir
    Path dir;

    RealBus bus;
    RealQemu real;
    final RecordingReporter lines = new RecordingReporter();

    @BeforeEach
    void startBusAndQemu() throws Exception {
        bus = RealBus.start(dir);
        real = RealQemu.startOnBus(dir, bus.address, "-machine", "pc", "-vga", "none", "-device", "VGA");
    }

    @AfterEach
    void stop() {
        if (real != null) {
            real.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    Devices devices() {
        return new Devices(List.of(new QemuDbusDeviceProvider(lines)));
    }

    @Test
    void aFrameReadOnTheBusEqualsQemusScreendump() throws Exception {
        GfxDevice device = devices().open("qemu-dbus:bus:" + bus.address + "?console=0");
        try {
            QemuDbusDeviceTest.capturedFrameEqualsScreendump(device, real.sock, dir);
            assertThat(lines.lines()).as("no message of QEMU was refused").isEmpty();
        } finally {
            device.close();
        }
        assertThat(real.process.isAlive()).as("QEMU outlives a device that is closed").isTrue();
    }

    @Test
    void killingQemuMakesTheDeviceGoneWhileTheBusLivesOn() throws Exception {
        String spec = "qemu-dbus:bus:" + bus.address;
        GfxDevice device = devices().open(spec);
        try {
            QemuDbusDeviceTest.awaitPlane(device);
            real.close(); // kills QEMU; the bus stays
            long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
            DeviceException gone = null;
            while (gone == null) {
                try {
                    device.queryPlane(BufferType.REGION, PlaneType.PRIMARY);
                } catch (DeviceException e) {
                    gone = e;
                }
                assertThat(System.nanoTime()).as("the device gone within " + RealQemu.WAIT).isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(gone.is(Errno.ENODEV)).as(gone.getMessage()).isTrue();
            assertThat(gone.getMessage()).startsWith("QEMU ended the D-Bus display connection of console 0 of " + spec
                + " (QEMU exited or dropped the listener)").doesNotContain("\n");
            assertThat(bus.process.isAlive()).isTrue();
        } finally {
            device.close();
        }
    }

    @Test
    void noSuchConsoleIsOneLine() {
        String spec = "qemu-dbus:bus:" + bus.address + "?console=7";
        assertThatThrownBy(() -> devices().open(spec)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith(spec + ": QEMU refused a listener for console 7: ")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aBusWithoutQemuIsOneLine() throws Exception {
        real.close();
        real.process.waitFor();
        String spec = "qemu-dbus:bus:" + bus.address;
        long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
        DeviceException e;
        do { // the bus drops QEMU's name once it sees QEMU's connection end
            e = org.junit.jupiter.api.Assertions.assertThrows(DeviceException.class, () -> devices().open(spec).close());
            assertThat(System.nanoTime()).as("QEMU's name gone within " + RealQemu.WAIT).isLessThan(deadline);
        } while (!e.getMessage().contains("nobody owns"));
        assertThat(e.getMessage()).isEqualTo(spec + ": no QEMU on the D-Bus bus at " + bus.address
            + ": nobody owns org.qemu (QEMU is started with -display dbus,addr=" + bus.address + ")");
    }

    @Test
    void noBusThereIsOneLine() throws Exception {
        real.close();
        bus.close();
        bus.process.waitFor();
        Files.deleteIfExists(bus.sock);
        String spec = "qemu-dbus:bus:" + bus.address;
        assertThatThrownBy(() -> devices().open(spec)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith(spec + ": cannot connect to the D-Bus bus at " + bus.address + ": ")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /**
     * {@code libvirt:DOMAIN}: a fake {@code /run} whose status file says what libvirt writes for a
     * running domain with {@code <graphics type='dbus'/>} (the address of its own bus) and a
     * display mdev; core finds the qemu-dbus provider by scheme and reads the console there.
     */
    @Test
    void libvirtDomainWithDbusGraphicsIsReadOnItsBus() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("libvirt/qemu"));
        Files.writeString(run.resolve("libvirt/qemu/vm1.pid"), real.process.pid() + "\n");
        Files.writeString(run.resolve("libvirt/qemu/vm1.xml"), """
            <domstatus state='running' reason='booted' pid='%d'>
              <domain type='kvm' id='3'>
                <name>vm1</name>
                <devices>
                  <graphics type='dbus' address='%s'/>
                  <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' display='on'>
                    <source><address uuid='83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'/></source>
                  </hostdev>
                </devices>
              </domain>
            </domstatus>
            """.formatted(real.process.pid(), bus.address));
        Devices devices = new Devices(List.of(new QemuDbusDeviceProvider(lines)), null, Path.of("/sys"),
            Path.of("/dev"), Path.of("/proc"), run);
        GfxDevice device = devices.open("libvirt:vm1");
        try {
            QemuDbusDeviceTest.capturedFrameEqualsScreendump(device, real.sock, dir);
            assertThat(devices.input("libvirt:vm1")).as("the D-Bus display's keyboard and mouse").isPresent();
        } finally {
            device.close();
        }
        // p2p='yes': libvirt keeps that connection; one line says so
        Files.writeString(run.resolve("libvirt/qemu/vm1.xml"), "<domstatus><domain><devices>"
            + "<graphics type='dbus' p2p='yes'/></devices></domain></domstatus>");
        assertThatThrownBy(() -> devices.open("libvirt:vm1")).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("libvirt domain 'vm1' has <graphics type='dbus' p2p='yes'/>: libvirt keeps that"
                + " peer-to-peer D-Bus connection to itself");
    }
}
