package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code libvirt:DOMAIN} and a domain's D-Bus graphics, over a fake {@code /run}: the path it
 * takes from the live status file (the {@code qemu-dbus} provider, found by scheme, with the
 * bus address libvirt wrote; or the borrowed VFIO fd), the one log line when the domain also
 * has an mdev, and one line for each refusal. The real end (a real QEMU on a real bus) is
 * plugin-source-qemu-dbus's {@code QemuDbusBusTest}.
 */
class LibvirtDbusTest {

    static final String UUID = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    static final String ADDRESS = "unix:path=/run/libvirt/qemu/dbus/3-vm1-dbus.sock";

    @TempDir
    Path tmp;

    FakeHost host;
    final RecordingReporter lines = new RecordingReporter();
    /** The specs the fake qemu-dbus provider was asked to resolve. */
    final List<String> resolved = new ArrayList<>();
    final DeviceProvider qemuDbus = new DeviceProvider() {
        @Override
        public String scheme() {
            return "qemu-dbus";
        }

        @Override
        public DeviceEndpoint resolve(String spec) {
            resolved.add(spec);
            return new DeviceEndpoint() {
                @Override
                public String name() {
                    return spec;
                }

                @Override
                public OpenDevice open(Kernel kernel) throws DeviceException {
                    throw new DeviceException("fake qemu-dbus opened " + spec);
                }
            };
        }
    };

    @BeforeEach
    void fakeHost() throws Exception {
        host = new FakeHost(tmp);
    }

    DeviceProvider libvirt(Function<String, DeviceProvider> others) {
        Borrower b = new Borrower(LibcKernel::instance, host.scan(), Adopter.vfio(), host.proc, host.run);
        return BorrowProviders.of(b, others, lines).get(1);
    }

    DeviceProvider libvirt() {
        return libvirt(scheme -> scheme.equals("qemu-dbus") ? qemuDbus : null);
    }

    static String status(String devices) {
        return "<domstatus state='running' reason='booted' pid='4242'>\n  <domain type='kvm' id='3'>\n"
            + "    <name>vm1</name>\n    <devices>\n" + devices + "    </devices>\n  </domain>\n</domstatus>\n";
    }

    static final String MDEV = "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on'><source>"
        + "<address uuid='" + UUID.toUpperCase() + "'/></source></hostdev>\n";

    @Test
    void dbusGraphicsGoToTheQemuDbusProviderWithLibvirtsBusAddress() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus' address='" + ADDRESS + "'/>\n"));
        DeviceEndpoint e = libvirt().resolve("libvirt:vm1");
        assertThatThrownBy(() -> e.open(null)).hasMessage("fake qemu-dbus opened qemu-dbus:bus:" + ADDRESS + "?console=0");
        assertThat(resolved).containsExactly("qemu-dbus:bus:" + ADDRESS + "?console=0");
        assertThat(lines.lines()).as("no mdev: nothing to choose between, nothing said").isEmpty();
    }

    @Test
    void withAnMdevTooOneLineSaysWhichPathItTook() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus' address='" + ADDRESS + "'/>\n" + MDEV));
        DeviceEndpoint e = libvirt().resolve("libvirt:vm1");
        assertThatThrownBy(() -> e.open(null)).hasMessageStartingWith("fake qemu-dbus opened");
        assertThatThrownBy(() -> e.open(null)).hasMessageStartingWith("fake qemu-dbus opened"); // a reopen
        assertThat(lines.lines()).containsExactly("INFO libvirt:vm1: the domain has D-Bus graphics and mdev " + UUID
            + ": reading QEMU's D-Bus display (qemu-dbus:bus:" + ADDRESS + "?console=0); libvirt:vm1/" + UUID
            + " borrows the mdev's VFIO fd instead");
    }

    @Test
    void namingTheMdevOrHavingNoDbusGraphicsBorrowsTheVfioFd() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus' address='" + ADDRESS + "'/>\n" + MDEV));
        DeviceEndpoint named = libvirt().resolve("libvirt:vm1/" + UUID);
        // the VFIO path reads the pid file, which this fake host lacks
        assertThatThrownBy(() -> named.open(null)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("libvirt domain 'vm1' is not running (");
        host.libvirtStatus("vm1", status("<graphics type='vnc' port='5900'/>\n" + MDEV));
        DeviceEndpoint plain = libvirt().resolve("libvirt:vm1");
        assertThatThrownBy(() -> plain.open(null)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("libvirt domain 'vm1' is not running (")
            .satisfies(x -> assertThat(((DeviceException) x).is(Errno.EAGAIN)).isTrue());
        assertThat(resolved).isEmpty();
        assertThat(lines.lines()).isEmpty();
    }

    @Test
    void peerToPeerIsRefusedInOneLine() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus' p2p='yes'/>\n"));
        assertThatThrownBy(() -> libvirt().resolve("libvirt:vm1").open(null)).isInstanceOf(DeviceException.class)
            .hasMessage("libvirt domain 'vm1' has <graphics type='dbus' p2p='yes'/>: libvirt keeps that peer-to-peer"
                + " D-Bus connection to itself (virDomainOpenGraphics), so Scanout cannot reach the display; use"
                + " <graphics type='dbus'/> (libvirt's bus for the domain) or address='unix:path=...'");
        assertThat(resolved).isEmpty();
    }

    @Test
    void withoutTheQemuDbusProviderOneLineNamesTheBundle() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus' address='" + ADDRESS + "'/>\n"));
        assertThatThrownBy(() -> libvirt(scheme -> null).resolve("libvirt:vm1").open(null))
            .isInstanceOf(DeviceException.class)
            .hasMessage("libvirt domain 'vm1' has D-Bus graphics, but no device provider for scheme 'qemu-dbus' is"
                + " installed (the plugin-source-qemu-dbus bundle)");
    }

    @Test
    void noAddressYetIsATryAgain() throws Exception {
        host.libvirtStatus("vm1", status("<graphics type='dbus'/>\n"));
        assertThatThrownBy(() -> libvirt().resolve("libvirt:vm1").open(null)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("libvirt domain 'vm1' has <graphics type='dbus'/> but its status file names no"
                + " address")
            .satisfies(x -> assertThat(((DeviceException) x).is(Errno.EAGAIN)).isTrue());
    }

    @Test
    void aHostileStatusFileIsOneLine() throws Exception {
        host.libvirtStatus("vm1", "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domstatus><domain>"
            + "<devices><graphics type='dbus' address='&x;'/></devices></domain></domstatus>");
        assertThatThrownBy(() -> libvirt().resolve("libvirt:vm1").open(null)).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("libvirt's status file " + host.run.resolve("libvirt/qemu/vm1.xml")
                + " is not XML Scanout reads: ")
            .satisfies(x -> assertThat(x.getMessage()).doesNotContain("\n").doesNotContain("root:"));
        host.libvirtStatus("vm1", "<domstatus><nodomain/></domstatus>");
        assertThatThrownBy(() -> libvirt().resolve("libvirt:vm1").open(null))
            .hasMessageEndingWith("vm1.xml has no <domain> element");
        assertThat(resolved).isEmpty();
    }

    @Test
    void theParserReadsWhatLibvirtWrites() throws Exception {
        LibvirtStatus s = LibvirtStatus.parse(status("<graphics type='dbus' address='" + ADDRESS + "'>"
            + "<gl enable='no'/></graphics>\n<graphics type='spice'/>\n" + MDEV).getBytes(StandardCharsets.UTF_8), "t");
        assertThat(s.dbus()).containsExactly(new LibvirtStatus.DbusGraphics(ADDRESS, false));
        assertThat(s.mdevs()).containsExactly(UUID);
        assertThat(LibvirtStatus.parse("<domain><devices><graphics type='dbus' p2p='on'/></devices></domain>"
            .getBytes(StandardCharsets.UTF_8), "t").dbus()).containsExactly(new LibvirtStatus.DbusGraphics(null, true));
    }
}
