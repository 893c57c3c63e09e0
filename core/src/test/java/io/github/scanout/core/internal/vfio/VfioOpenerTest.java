package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opening an mdev over a mocked kernel and a fake sysfs tree: the ioctl sequence, FD_CLOEXEC on
 * received fds, every fd closed on every failure path, and one-line errors a user can act on.
 */
class VfioOpenerTest {

    static final String UUID = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    static final int CONTAINER = 3, GROUP = 4, DEVICE = 5, IOMMUFD = 6, CDEV = 8, IOAS = 7;

    @TempDir
    Path root;
    Path sys;
    Path dev;
    Path mdevDir;

    final Kernel kernel = mock(Kernel.class);
    final List<Integer> opened = new ArrayList<>();
    final List<Integer> closed = new ArrayList<>();
    final List<String> steps = new ArrayList<>();
    final List<ByteBuffer> args = new ArrayList<>();
    String failStep;
    int failErrno = Errno.EIO.number();
    boolean viable = true;
    boolean type1v2 = true;
    boolean type1 = true;
    int apiVersion = 0;

    @BeforeEach
    void setUp() throws Exception {
        sys = root.resolve("sys");
        dev = root.resolve("dev");
        Files.createDirectories(dev);
        Path parent = Files.createDirectories(sys.resolve("devices/pci0000:00/0000:00:02.0"));
        mdevDir = Files.createDirectories(parent.resolve(UUID));
        Files.createSymbolicLink(mdevDir.resolve("mdev_type"), Path.of("../mdev_supported_types/i915-GVTg_V5_4"));
        Files.createSymbolicLink(mdevDir.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/12"));
        Path bus = Files.createDirectories(sys.resolve("bus/mdev/devices"));
        Files.createSymbolicLink(bus.resolve(UUID), Path.of("../../../devices/pci0000:00/0000:00:02.0/" + UUID));

        Map<String, Integer> nodes = Map.of("vfio/vfio", CONTAINER, "vfio/12", GROUP, "iommu", IOMMUFD,
                "vfio/devices/vfio3", CDEV);
        when(kernel.open(anyString(), anyInt())).thenAnswer(inv -> {
            String rel = dev.relativize(Path.of(inv.<String>getArgument(0))).toString();
            step("open " + rel);
            assertThat(inv.<Integer>getArgument(1)).isEqualTo(Linux.O_RDWR | Linux.O_CLOEXEC);
            int fd = nodes.get(rel);
            opened.add(fd);
            return fd;
        });
        doAnswer(inv -> {
            closed.add(inv.getArgument(0));
            return null;
        }).when(kernel).close(anyInt());
        when(kernel.fcntl(anyInt(), anyInt(), anyInt())).thenAnswer(inv -> {
            step("cloexec");
            return 0;
        });
        when(kernel.ioctl(anyInt(), anyLong(), anyLong())).thenAnswer(inv -> {
            long req = inv.getArgument(1);
            long value = inv.getArgument(2);
            if (req == Vfio.GET_API_VERSION) {
                step("api");
                return apiVersion;
            }
            if (req == Vfio.CHECK_EXTENSION) {
                step("checkExtension");
                return value == Vfio.TYPE1v2_IOMMU ? (type1v2 ? 1 : 0) : (type1 ? 1 : 0);
            }
            if (req == Vfio.SET_IOMMU) {
                step("setIommu " + value);
                return 0;
            }
            throw new AssertionError("unexpected ioctl " + Long.toHexString(req));
        });
        when(kernel.ioctl(anyInt(), anyLong(), any(ByteBuffer.class))).thenAnswer(inv -> {
            long req = inv.getArgument(1);
            ByteBuffer b = inv.<ByteBuffer>getArgument(2).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer copy = ByteBuffer.allocate(b.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(b.duplicate().clear());
            args.add(copy);
            if (req == Vfio.GROUP_GET_STATUS) {
                step("status");
                b.putInt(4, viable ? Vfio.GROUP_FLAGS_VIABLE : 0);
                return 0;
            }
            if (req == Vfio.GROUP_SET_CONTAINER) {
                step("setContainer");
                return 0;
            }
            if (req == Vfio.GROUP_GET_DEVICE_FD) {
                step("getDeviceFd");
                opened.add(DEVICE);
                return DEVICE;
            }
            if (req == Vfio.DEVICE_GET_INFO) {
                step("getInfo");
                b.duplicate().clear().put(DeviceInfoCodec.encode(24, new DeviceInfo(Vfio.DEVICE_FLAGS_PCI, 9, 1)));
                return 0;
            }
            if (req == Vfio.DEVICE_BIND_IOMMUFD) {
                step("bind");
                b.putInt(12, 1);
                return 0;
            }
            if (req == Vfio.IOMMU_IOAS_ALLOC) {
                step("ioas");
                b.putInt(8, IOAS);
                return 0;
            }
            if (req == Vfio.DEVICE_ATTACH_IOMMUFD_PT) {
                step("attach");
                return 0;
            }
            throw new AssertionError("unexpected ioctl " + Long.toHexString(req));
        });
    }

    private void step(String name) throws DeviceException {
        steps.add(name);
        if (name.equals(failStep)) {
            throw new DeviceException(name, failErrno);
        }
    }

    VfioOpener opener(VfioOpener.Mode mode) {
        return new VfioOpener(kernel, sys, dev, mode);
    }

    void addCdev() throws Exception {
        Files.createDirectories(mdevDir.resolve("vfio-dev/vfio3"));
        Files.createDirectories(dev.resolve("vfio/devices"));
        Files.createFile(dev.resolve("vfio/devices/vfio3"));
        Files.createFile(dev.resolve("iommu"));
    }

    void assertEveryOpenedFdClosedOnce() {
        assertThat(closed).doesNotHaveDuplicates();
        assertThat(closed).containsExactlyInAnyOrderElementsOf(opened);
    }

    // ---- legacy path

    @Test
    void legacyOpenRunsTheSequenceAndOwnsGroupAndContainer() throws Exception {
        VfioGfxDevice d = opener(VfioOpener.Mode.AUTO).open(UUID);
        assertThat(steps).containsExactly("open vfio/vfio", "api", "open vfio/12", "status", "setContainer",
                "checkExtension", "setIommu 3", "getDeviceFd", "cloexec", "getInfo");
        assertThat(d.fd()).isEqualTo(DEVICE);
        assertThat(d.name()).isEqualTo(UUID);
        verify(kernel).fcntl(DEVICE, Linux.F_SETFD, Linux.FD_CLOEXEC);

        ByteBuffer status = args.get(0);
        assertThat(status.capacity()).isEqualTo(8);
        assertThat(status.getInt(0)).isEqualTo(8);
        ByteBuffer container = args.get(1);
        assertThat(container.capacity()).isEqualTo(4);
        assertThat(container.getInt(0)).isEqualTo(CONTAINER);
        ByteBuffer name = args.get(2);
        assertThat(name.capacity()).isEqualTo(UUID.length() + 1);
        byte[] bytes = new byte[UUID.length()];
        name.get(0, bytes);
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo(UUID);
        assertThat(name.get(UUID.length())).isZero();

        assertThat(closed).isEmpty();
        d.close();
        assertThat(closed).containsExactly(DEVICE, GROUP, CONTAINER);
        d.close();
        assertThat(closed).hasSize(3);
    }

    @Test
    void upperCaseUuidIsLowerCased() throws Exception {
        assertThat(opener(VfioOpener.Mode.LEGACY).open(UUID.toUpperCase()).fd()).isEqualTo(DEVICE);
        assertThat(args.get(2).get(0)).isEqualTo((byte) '8');
    }

    @Test
    void type1IsTheFallbackIommu() throws Exception {
        type1v2 = false;
        opener(VfioOpener.Mode.LEGACY).open(UUID);
        assertThat(steps).contains("setIommu 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"open vfio/vfio", "api", "open vfio/12", "status", "setContainer", "checkExtension", "setIommu 3",
            "getDeviceFd", "cloexec", "getInfo"})
    void everyFailingLegacyStepClosesEveryFd(String step) {
        failStep = step;
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID)).isInstanceOf(DeviceException.class);
        assertThat(steps).last().isEqualTo(step);
        assertEveryOpenedFdClosedOnce();
    }

    @Test
    void wrongApiVersionClosesEverything() {
        apiVersion = 1;
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID)).hasMessageContaining("API version 1");
        assertEveryOpenedFdClosedOnce();
    }

    @Test
    void noType1IommuClosesEverything() {
        type1v2 = false;
        type1 = false;
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID)).hasMessageContaining("neither the TYPE1v2 nor the TYPE1");
        assertEveryOpenedFdClosedOnce();
    }

    @Test
    void groupNotViable() {
        viable = false;
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID))
                .hasMessageContaining("IOMMU group 12 (" + dev.resolve("vfio/12") + ") is not viable")
                .hasMessageContaining(sys.resolve("kernel/iommu_groups/12/devices").toString());
        assertEveryOpenedFdClosedOnce();
        assertThat(closed).containsExactly(GROUP, CONTAINER);
    }

    @Test
    void permissionDeniedOnTheGroupNamesTheNodeAndAUdevRule() {
        failStep = "open vfio/12";
        failErrno = Errno.EACCES.number();
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EACCES)).isTrue())
                .hasMessageStartingWith("permission denied on " + dev.resolve("vfio/12") + " (IOMMU group 12 of mdev " + UUID + ")")
                .hasMessageContaining("udev rule").hasMessageContaining("KERNEL==\"12\"")
                .hasMessageEndingWith(": EACCES")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(closed).containsExactly(CONTAINER);
    }

    @Test
    void busyGroupNamesAnotherProcess() {
        failStep = "open vfio/12";
        failErrno = Errno.EBUSY.number();
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID))
                .hasMessage("IOMMU group 12 (" + dev.resolve("vfio/12") + ") is busy: another process, e.g. QEMU, holds it: EBUSY");
    }

    @Test
    void vfioNotLoaded() {
        failStep = "open vfio/vfio";
        failErrno = Errno.ENOENT.number();
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID))
                .hasMessageStartingWith("VFIO is not loaded: " + dev.resolve("vfio/vfio") + " does not exist");
        assertThat(opened).isEmpty();
    }

    @Test
    void unknownUuidNamesTheSysfsPath() {
        String other = "00000000-0000-0000-0000-000000000001";
        assertThatThrownBy(() -> opener(VfioOpener.Mode.AUTO).open(other))
                .hasMessageStartingWith("no mdev " + other + ": " + sys.resolve("bus/mdev/devices/" + other) + " does not exist");
        verifyNoInteractions(kernel);
    }

    @Test
    void notAUuid() {
        assertThatThrownBy(() -> opener(VfioOpener.Mode.AUTO).open("mdpy-xga")).hasMessageContaining("not an mdev UUID");
        verifyNoInteractions(kernel);
    }

    @Test
    void noIommuGroup() throws Exception {
        Files.delete(mdevDir.resolve("iommu_group"));
        assertThatThrownBy(() -> opener(VfioOpener.Mode.LEGACY).open(UUID))
                .hasMessageStartingWith("mdev " + UUID + " has no IOMMU group: "
                        + sys.resolve("bus/mdev/devices/" + UUID + "/iommu_group") + " is missing");
        verifyNoInteractions(kernel);
    }

    // ---- cdev path

    @Test
    void cdevIsPreferredWhenPresent() throws Exception {
        addCdev();
        VfioGfxDevice d = opener(VfioOpener.Mode.AUTO).open(UUID, "my-vgpu");
        assertThat(steps).containsExactly("open iommu", "open vfio/devices/vfio3", "bind", "ioas", "attach", "getInfo");
        assertThat(d.name()).isEqualTo("my-vgpu");
        assertThat(d.fd()).isEqualTo(CDEV);

        ByteBuffer bind = args.get(0);
        assertThat(bind.capacity()).isEqualTo(24);
        assertThat(bind.getInt(0)).isEqualTo(24);
        assertThat(bind.getInt(4)).isZero();
        assertThat(bind.getInt(8)).isEqualTo(IOMMUFD);
        ByteBuffer alloc = args.get(1);
        assertThat(alloc.getInt(0)).isEqualTo(12);
        ByteBuffer attach = args.get(2);
        assertThat(attach.getInt(0)).isEqualTo(16);
        assertThat(attach.getInt(8)).isEqualTo(IOAS);

        d.close();
        assertThat(closed).containsExactly(CDEV, IOMMUFD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"open iommu", "open vfio/devices/vfio3", "bind", "ioas", "attach", "getInfo"})
    void everyFailingCdevStepClosesEveryFd(String step) throws Exception {
        addCdev();
        failStep = step;
        assertThatThrownBy(() -> opener(VfioOpener.Mode.CDEV).open(UUID)).isInstanceOf(DeviceException.class);
        assertEveryOpenedFdClosedOnce();
    }

    @Test
    void autoFallsBackToLegacyWhenTheCdevFails() throws Exception {
        addCdev();
        failStep = "bind";
        VfioGfxDevice d = opener(VfioOpener.Mode.AUTO).open(UUID);
        assertThat(d.fd()).isEqualTo(DEVICE);
        assertThat(closed).containsExactly(CDEV, IOMMUFD);
    }

    @Test
    void whenBothPathsFailTheLegacyErrorIsReportedWithTheCdevOneSuppressed() throws Exception {
        addCdev();
        failStep = "bind";
        failErrno = Errno.EBUSY.number();
        doAnswer(inv -> {
            String rel = dev.relativize(Path.of(inv.<String>getArgument(0))).toString();
            if (rel.equals("vfio/12")) {
                throw new DeviceException("open", Errno.EBUSY.number());
            }
            int fd = Map.of("vfio/vfio", CONTAINER, "iommu", IOMMUFD, "vfio/devices/vfio3", CDEV).get(rel);
            opened.add(fd);
            steps.add("open " + rel);
            return fd;
        }).when(kernel).open(anyString(), anyInt());
        assertThatThrownBy(() -> opener(VfioOpener.Mode.AUTO).open(UUID)).hasMessageContaining("is busy")
                .satisfies(e -> assertThat(e.getSuppressed()[0].getMessage()).contains("BIND_IOMMUFD").contains("QEMU"));
        assertEveryOpenedFdClosedOnce();
    }

    @Test
    void legacyModeIgnoresTheCdev() throws Exception {
        addCdev();
        assertThat(opener(VfioOpener.Mode.LEGACY).open(UUID).fd()).isEqualTo(DEVICE);
    }

    @Test
    void cdevModeWithoutACdevSaysWhy() {
        assertThatThrownBy(() -> opener(VfioOpener.Mode.CDEV).open(UUID)).hasMessageContaining("has no vfio cdev")
                .hasMessageContaining("CONFIG_VFIO_DEVICE_CDEV");
    }

    @Test
    void modeFromSystemProperty() {
        String old = System.getProperty(VfioOpener.MODE_PROPERTY);
        try {
            System.clearProperty(VfioOpener.MODE_PROPERTY);
            assertThat(VfioOpener.Mode.fromSystemProperty()).isEqualTo(VfioOpener.Mode.AUTO);
            System.setProperty(VfioOpener.MODE_PROPERTY, "Legacy");
            assertThat(VfioOpener.Mode.fromSystemProperty()).isEqualTo(VfioOpener.Mode.LEGACY);
            System.setProperty(VfioOpener.MODE_PROPERTY, "group");
            assertThatThrownBy(VfioOpener.Mode::fromSystemProperty).hasMessageContaining("auto, legacy or cdev");
        } finally {
            if (old == null) {
                System.clearProperty(VfioOpener.MODE_PROPERTY);
            } else {
                System.setProperty(VfioOpener.MODE_PROPERTY, old);
            }
        }
    }
}
