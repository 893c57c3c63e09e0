package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.core.testing.FakeVgpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicesTest {

    static final String UUID = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";

    @TempDir
    Path root;

    final FakeVgpu fake = new FakeVgpu("fake:vga");

    Devices devices() {
        return new Devices(List.of(fake.provider("fake")), fake, root.resolve("sys"), root.resolve("dev"));
    }

    @Test
    void openAnyEndpoint() throws Exception {
        try (GfxDevice d = devices().open(fake)) {
            assertThat(d.name()).isEqualTo("fake:vga");
            assertThat(d.info().numRegions()).isEqualTo(3);
            assertThat(d.info().canReset()).isTrue();
            assertThat(d.probe(BufferType.DMABUF)).isTrue();
            assertThat(d.probe(BufferType.REGION)).isFalse();
            PlaneInfo p = d.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
            assertThat(p.width()).isEqualTo(640);
            assertThat(d.queryPlane(BufferType.DMABUF, PlaneType.CURSOR)).isEmpty();
            try (DmaBuf buf = d.openDmaBuf(p)) {
                assertThat(buf.size()).isEqualTo(640L * 4 * 480);
                assertThat(fake.calls()).contains("fcntl " + buf.fd() + " " + Linux.F_SETFD + " " + Linux.FD_CLOEXEC);
                try (DmaBuf second = buf.duplicate()) {
                    assertThat(fake.openFds()).contains(second.fd());
                }
            }
            d.reset();
        }
        assertThat(fake.openFds()).isEmpty();
    }

    @Test
    void failedOpenOfAnEndpointClosesItsFd() {
        fake.failGetInfo = true;
        assertThatThrownBy(() -> devices().open(fake)).hasMessageContaining("VFIO_DEVICE_GET_INFO on fake:vga");
        assertThat(fake.openFds()).isEmpty();
    }

    @Test
    void schemeSpecIsResolvedByItsProviderAndNamedBySpec() throws Exception {
        try (GfxDevice d = devices().open("FAKE:anything?mode=1x1")) {
            assertThat(d.name()).isEqualTo("FAKE:anything?mode=1x1");
        }
        assertThat(devices().schemes()).containsExactly("fake", "vm", "libvirt", "fd");
    }

    @Test
    void unknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> devices().open("nope:x"))
                .hasMessage("no device provider for scheme 'nope' in 'nope:x' (known schemes: fake, vm, libvirt, fd)");
    }

    @Test
    void providerErrorsAreDeviceExceptions() {
        assertThatThrownBy(() -> devices().open("fake:bad")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("no device called fake:bad");
        assertThatThrownBy(() -> devices().open("fake:boom")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("'fake' provider failed on 'fake:boom'");
    }

    @Test
    void neitherUuidNorPathNorScheme() {
        assertThatThrownBy(() -> devices().open("mdpy-xga"))
                .hasMessageStartingWith("'mdpy-xga' is not a device spec: give an mdev UUID")
                .hasMessageContaining("known schemes: fake, vm, libvirt, fd");
        assertThatThrownBy(() -> devices().open("  ")).hasMessageStartingWith("empty device spec");
        assertThatThrownBy(() -> new Devices(List.of(), fake, root, root).open("sim:mbochs"))
                .hasMessageContaining("known schemes: vm, libvirt, fd; is a provider");
    }

    @Test
    void uuidAndSysfsPathGoToTheVfioOpener() throws Exception {
        assertThatThrownBy(() -> devices().open(UUID)).hasMessageStartingWith("no mdev " + UUID + ": ");
        Path sysPath = root.resolve("sys/bus/mdev/devices").resolve(UUID);
        assertThatThrownBy(() -> devices().open(sysPath.toString())).hasMessageStartingWith("no mdev " + UUID + ": ");
        assertThatThrownBy(() -> devices().open("/etc/passwd")).hasMessageContaining("is not an mdev sysfs path");
    }

    @Test
    void listReadsTheSysfsTree() throws Exception {
        assertThat(devices().list()).isEmpty();
        Path dir = Files.createDirectories(root.resolve("sys/devices/virtual/mdpy/mdpy").resolve(UUID));
        Files.createSymbolicLink(dir.resolve("mdev_type"), Path.of("../mdev_supported_types/mdpy-hd"));
        Path bus = Files.createDirectories(root.resolve("sys/bus/mdev/devices"));
        Files.createSymbolicLink(bus.resolve(UUID), bus.relativize(dir));
        assertThat(devices().list()).extracting(MdevInfo::uuid, MdevInfo::type, MdevInfo::parent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(UUID, "mdpy-hd", "mdpy"));
    }

    @Test
    void serviceLoaderConstructorWorks() {
        assertThat(new Devices().schemes()).doesNotContain("fake");
    }

    @Test
    void resourceCountersReadTheProcess() {
        assertThat(Resources.openFds()).isPositive();
        assertThat(Resources.mappedBytes()).isNotNegative();
        assertThat(Resources.liveMappings()).isNotNegative();
    }
}
