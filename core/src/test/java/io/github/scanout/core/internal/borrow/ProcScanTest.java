package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.core.internal.borrow.ProcScan.Held;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which process holds which mdev, read from a fake /proc and /sys. */
class ProcScanTest {
    static final String A = "aaaaaaaa-0000-0000-0000-000000000001";
    static final String B = "bbbbbbbb-0000-0000-0000-000000000002";
    static final String DEV = ProcScan.ANON_DEVICE;

    @TempDir
    Path tmp;
    FakeHost host;

    @BeforeEach
    void mdevs() throws Exception {
        host = new FakeHost(tmp).mdev(A, 12, "vfio3").mdev(B, 13, null);
    }

    List<Held> held(int pid) throws Exception {
        ProcScan s = host.scan();
        return s.held(pid, s.mdevs());
    }

    @Test
    void aCdevFdIsTheDeviceFdOfItsMdev() throws Exception {
        host.process(100, "qemu", Map.of(3, "/dev/iommu", 9, "/dev/vfio/devices/vfio3", 4, "/dev/null"));
        assertThat(held(100)).containsExactly(new Held(A, List.of(9), "cdev /dev/vfio/devices/vfio3"));
    }

    @Test
    void theOnlyGroupAndTheOnlyDeviceFdBelongTogether() throws Exception {
        host.process(100, "qemu", Map.of(5, "/dev/vfio/vfio", 6, "/dev/vfio/13", 7, DEV));
        assertThat(held(100)).containsExactly(new Held(B, List.of(7), "the only mdev group and the only device fd"));
    }

    @Test
    void fdinfoSyspathTellsSeveralDeviceFdsApart() throws Exception {
        host.process(100, "qemu", Map.of(6, "/dev/vfio/12", 7, DEV, 8, "/dev/vfio/13", 9, DEV))
                .fdinfo(100, 7, "pos:\t0\nvfio-device-syspath: /sys/devices/virtual/mdpy/mdpy/" + B + "\n")
                .fdinfo(100, 9, "pos:\t0\nvfio-device-syspath: /sys/devices/virtual/mdpy/mdpy/" + A + "\n");
        assertThat(held(100)).containsExactly(new Held(A, List.of(9), "fdinfo vfio-device-syspath"),
                new Held(B, List.of(7), "fdinfo vfio-device-syspath"));
    }

    @Test
    void withoutFdinfoSeveralDeviceFdsAreCandidatesForEveryGroup() throws Exception {
        host.process(100, "qemu", Map.of(6, "/dev/vfio/12", 7, DEV, 8, "/dev/vfio/13", 9, DEV));
        List<Held> h = held(100);
        assertThat(h).extracting(Held::uuid).containsExactly(A, B);
        assertThat(h).allSatisfy(x -> assertThat(x.deviceFds()).containsExactlyInAnyOrder(7, 9));
    }

    @Test
    void aPassedThroughPciDeviceIsNotAnMdev() throws Exception {
        // group 40 holds a PCI function, not an mdev; its device fd's fdinfo names a PCI path
        host.process(100, "qemu", Map.of(6, "/dev/vfio/40", 7, DEV, 8, "/dev/vfio/12", 9, DEV))
                .fdinfo(100, 7, "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:03.0\n");
        assertThat(held(100)).containsExactly(new Held(A, List.of(9), "the only mdev group and the only device fd"));
    }

    @Test
    void aGroupWithoutADeviceFdYetHasNoFd() throws Exception {
        host.process(100, "qemu", Map.of(6, "/dev/vfio/12"));
        assertThat(held(100)).singleElement().satisfies(x -> assertThat(x.deviceFds()).isEmpty());
    }

    @Test
    void holdersAreFoundByGroupOrCdev() throws Exception {
        host.process(100, "qemu-a", Map.of(6, "/dev/vfio/12", 7, DEV))
                .process(200, "qemu-b", Map.of(9, "/dev/vfio/13"))
                .process(300, "bash", Map.of(0, "/dev/pts/0"));
        ProcScan s = host.scan();
        assertThat(s.holders(s.mdevs().get(0))).containsExactly(100);
        assertThat(s.holders(s.mdevs().get(1))).containsExactly(200);
        assertThat(s.pids()).containsExactly(100, 200, 300);
    }

    @Test
    void aProcessThatIsNotThereCannotBeLookedAt() {
        assertThatThrownBy(() -> held(4242)).isInstanceOf(ProcScan.CannotLook.class)
                .hasMessageStartingWith("no such process 4242");
    }

    @Test
    void theLibvirtDomainComesFromQemusName() throws Exception {
        host.process(100, "/usr/bin/qemu-system-x86_64 -name guest=win,,11,debug-threads=on -S", Map.of());
        ProcScan.ProcessInfo info = host.scan().info(100);
        assertThat(info.libvirtDomain()).contains("win,11");
        assertThat(info.describe()).startsWith("100 (/usr/bin/qemu-system-x86_64 -name");
        assertThat(ProcScan.libvirtDomain("qemu -name plain")).isEqualTo(Optional.empty());
    }
}
