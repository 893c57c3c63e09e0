package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.Devices;
import io.github.scanout.core.MdevInfo;
import io.github.scanout.core.testing.FakeVgpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code scanout devices} says about each mdev, and the refusal of a bare UUID a VMM holds,
 * against fake /sys, /proc, /run and /dev trees; the host kernel is a fake that records every
 * call, to show that nothing is opened.
 */
class HolderReportTest {
    static final String A = "aaaaaaaa-0000-0000-0000-000000000001";
    static final String B = "bbbbbbbb-0000-0000-0000-000000000002";
    static final String ROOT_CAPS = "000001ffffffffff";
    static final String NO_CAPS = "0000000000000000";

    @TempDir
    Path tmp;
    FakeHost host;
    Path dev;
    FakeVgpu kernel;
    Devices devices;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(tmp).mdev(A, 12, null).mdev(B, 13, null);
        dev = Files.createDirectories(tmp.resolve("dev"));
        Files.createDirectories(dev.resolve("vfio"));
        Files.createFile(dev.resolve("vfio/13"));
        kernel = new FakeVgpu("never-opened");
        devices = new Devices(List.of(), kernel, host.sys, dev, host.proc, host.run);
    }

    FakeHost vmm(int pid, String cmdline, int uid) throws Exception {
        return host.process(pid, cmdline, Map.of(5, dev + "/vfio/vfio", 6, dev + "/vfio/12", 7, ProcScan.ANON_DEVICE))
                .status(Integer.toString(pid), uid, NO_CAPS);
    }

    List<String> report(String uuid) throws Exception {
        for (MdevInfo m : devices.list()) {
            if (m.uuid().equals(uuid)) {
                return devices.holders(m);
            }
        }
        throw new AssertionError("no mdev " + uuid);
    }

    @Test
    void aHeldMdevNamesItsVmmAndItsLibvirtDomainAndRootMayBorrow() throws Exception {
        vmm(4242, "/usr/bin/qemu-system-x86_64 -name guest=web,,1,debug-threads=on -m 1G", 107);
        host.status("self", 0, ROOT_CAPS);
        assertThat(report(A)).containsExactly(
                "held by process 4242 (/usr/bin/qemu-system-x86_64 -name guest=web,,1,debug-threads=on -m 1G), libvirt"
                        + " domain 'web,1'",
                "Scanout can borrow it: --device vm:" + A + " or --device libvirt:web,1");
        assertThat(kernel.calls()).isEmpty();
    }

    @Test
    void theDomainComesFromLibvirtsPidFileWhenTheCommandLineDoesNotNameIt() throws Exception {
        vmm(4242, "qemu-kvm", 1000).libvirtPid("other", 17).libvirtPid("desk", 4242);
        host.status("self", 1000, NO_CAPS).yama(0);
        assertThat(report(A)).containsExactly("held by process 4242 (qemu-kvm), libvirt domain 'desk'",
                "Scanout can borrow it: --device vm:" + A + " or --device libvirt:desk");
    }

    @Test
    void everyReasonNotToBorrowIsNamed() throws Exception {
        vmm(4242, "qemu", 107);
        host.status("self", 1000, NO_CAPS).yama(1);
        assertThat(report(A).get(1)).isEqualTo("Scanout cannot borrow it: the VMM runs as uid 107 and Scanout as uid"
                + " 1000: borrowing needs the same uid or CAP_SYS_PTRACE (or the scanout-borrow helper, see \"Running"
                + " VMs\" in the operator guide)");
        host.status("4242", 1000, NO_CAPS);
        assertThat(report(A).get(1)).startsWith("Scanout cannot borrow it: Yama's kernel.yama.ptrace_scope is 1: only"
                + " the VMM's ancestors may borrow from it");
        host.yama(2);
        assertThat(report(A).get(1)).startsWith("Scanout cannot borrow it: Yama's kernel.yama.ptrace_scope is 2:"
                + " borrowing needs CAP_SYS_PTRACE");
        host.yama(3);
        host.status("self", 0, ROOT_CAPS);
        assertThat(report(A).get(1)).startsWith("Scanout cannot borrow it: Yama's kernel.yama.ptrace_scope is 3");
        host.yama(2);
        assertThat(report(A).get(1)).isEqualTo("Scanout can borrow it: --device vm:" + A);
        host.yama(0).status("self", 1000, NO_CAPS);
        assertThat(report(A).get(1)).isEqualTo("Scanout can borrow it: --device vm:" + A);
        assertThat(kernel.calls()).isEmpty();
    }

    @Test
    void aFreeMdevSaysWhetherADirectOpenIsAllowedWithoutOpeningIt() throws Exception {
        host.status("self", 0, ROOT_CAPS);
        assertThat(report(B)).containsExactly("held by no process that Scanout can see",
                "no VM runs on it: scanout run --device vm:" + B + " waits for one; a direct open (--device " + B + ")"
                        + " is allowed (" + dev + "/vfio/13), and makes a VM start fail with EBUSY while Scanout holds"
                        + " it");
        assertThat(report(A).get(1)).contains("a direct open (--device " + A + ") is not possible (" + dev
                + "/vfio/12 does not exist)");
        assertThat(kernel.calls()).isEmpty();
    }

    @Test
    void aBareUuidThatAVmmHoldsIsRefusedForGoodAndNeverOpened() throws Exception {
        vmm(4242, "qemu -name guest=vm1", 107);
        assertThatThrownBy(() -> devices.open(A)).isInstanceOf(DeviceException.class)
                .hasMessage("mdev " + A + " is held by process 4242 (qemu -name guest=vm1), a running VM's VMM: Scanout"
                        + " does not open it directly; read it with vm:" + A)
                .satisfies(e -> assertThat(((DeviceException) e).isTransient()).as("a pipeline does not retry it")
                        .isFalse());
        assertThatThrownBy(() -> devices.open(host.sys.resolve("bus/mdev/devices").resolve(A).toString()))
                .hasMessageContaining("read it with vm:" + A);
        assertThat(kernel.calls()).as("no device call").isEmpty();
    }

    @Test
    void aCdevThatSysfsNamesButTheKernelMadeNoNodeForFallsBackToTheGroup() throws Exception {
        String c = "cccccccc-0000-0000-0000-000000000003";
        host.mdev(c, 13, "vfio2"); // Linux 6.0 to 6.5: vfio-dev/vfio2 in sysfs, no /dev/vfio/devices
        host.status("self", 0, ROOT_CAPS);
        assertThat(report(c).get(1)).contains("a direct open (--device " + c + ") is allowed (" + dev + "/vfio/13)");
        Files.createDirectories(dev.resolve("vfio/devices"));
        Files.createFile(dev.resolve("vfio/devices/vfio2"));
        assertThat(report(c).get(1)).contains("is allowed (" + dev + "/vfio/devices/vfio2)");
    }
}
