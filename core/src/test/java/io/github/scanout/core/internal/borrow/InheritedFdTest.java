package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.testing.Await;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fd:N}: a device fd this process holds (inherited from a management layer, or received
 * from the borrow helper) is duplicated for each open and used in observer mode; the real adopter
 * refuses an fd that is no VFIO device. The fds are real (opened here, or taken from a child with
 * pidfd_getfd); the simulated mdpy stands behind them.
 */
class InheritedFdTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    final LibcKernel libc = LibcKernel.instance();
    final SimDeviceProvider sims = new SimDeviceProvider();

    /** Devices whose fd: adopter checks the fd is a duplicate of {@code expected} and opens {@code sim} behind it. */
    Devices devices(Path expected, SimDevice sim, List<Integer> adopted) throws IOException {
        Adopter adopter = (k, fd, label) -> {
            try {
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).isEqualTo(expected);
                assertThat(libc.fcntl(fd, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC).as("close-on-exec").isNotZero();
            } catch (IOException e) {
                throw new DeviceException(e.toString());
            } finally {
                k.close(fd);
            }
            adopted.add(fd);
            return sim.open(k);
        };
        Borrower b = new Borrower(LibcKernel::instance, new FakeHost.Empty(tmp).scan(), adopter, tmp, tmp);
        List<DeviceProvider> providers = new ArrayList<>(BorrowProviders.of(b));
        providers.add(sims);
        return new Devices(providers);
    }

    @Test
    void anInheritedFdIsDuplicatedForEachOpenAndObservedOnly() throws Exception {
        Path file = Files.writeString(tmp.resolve("device-stand-in"), "x");
        SimDevice sim = sims.device("sim:mdpy-xga");
        List<Integer> adopted = new ArrayList<>();
        Devices devices = devices(file, sim, adopted);
        devices.open("sim:mdpy-xga").close();
        int fd = libc.open(file.toString(), Linux.O_RDONLY);
        try {
            int before = Resources.openFds();
            try (GfxDevice d = devices.open("fd:" + fd)) {
                assertThat(d.name()).isEqualTo("fd:" + fd);
                assertThat(d.queryPlane(io.github.scanout.api.BufferType.REGION, io.github.scanout.api.PlaneType.PRIMARY))
                        .isPresent();
                assertThatThrownBy(d::reset).hasStackTraceContaining("VFIO_DEVICE_RESET refused on the inherited device"
                        + " fd " + fd + ": Scanout only observes a borrowed device");
                assertThatThrownBy(() -> d.writeRegion(0, 0, ByteBuffer.allocate(4)))
                        .hasStackTraceContaining("a region write refused on the inherited device fd " + fd);
            }
            try (GfxDevice again = devices.open("fd:" + fd + "?edid=write")) {
                again.writeRegion(0, 0, ByteBuffer.allocate(4)); // allowed by the option
            }
            assertThat(adopted).hasSize(2).doesNotContain(fd);
            Await.until("the duplicates closed", WAIT, sim::liveFds, n -> n == 0);
            assertThat(Resources.openFds()).isEqualTo(before);
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).as("the inherited fd stays open")
                    .isEqualTo(file);
        } finally {
            libc.close(fd);
        }
        assertThatThrownBy(() -> devices.open("fd:" + fd)).isInstanceOf(DeviceException.class)
                .hasMessage("fd:" + fd + ": no inherited fd " + fd + " (it is not open in this process: the parent"
                        + " must leave it open across exec, without FD_CLOEXEC): EBADF");
    }

    @Test
    void anFdTakenFromAChildWithPidfdGetfdServesAsFdN() throws Exception {
        Path file = Files.writeString(tmp.resolve("held-by-child"), "x");
        SimDevice sim = sims.device("sim:mdpy-vga");
        List<Integer> adopted = new ArrayList<>();
        Devices devices = devices(file, sim, adopted);
        try (Child child = Child.holding(file)) {
            int pidfd = libc.pidfdOpen(child.pid());
            int fd = libc.pidfdGetfd(pidfd, Child.FD);
            libc.close(pidfd);
            try (GfxDevice d = devices.open("fd:" + fd)) {
                assertThat(d.queryPlane(io.github.scanout.api.BufferType.REGION, io.github.scanout.api.PlaneType.PRIMARY))
                        .isPresent();
            } finally {
                libc.close(fd);
            }
        }
        assertThat(adopted).hasSize(1);
    }

    @Test
    void theRealAdopterRefusesAnFdThatIsNoVfioDevice() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-device"), "x");
        int fd = libc.open(file.toString(), Linux.O_RDONLY);
        try {
            int before = Resources.openFds();
            assertThatThrownBy(() -> new Devices(List.of()).open("fd:" + fd)).isInstanceOf(DeviceException.class)
                    .hasMessage("fd:" + fd + " is not a VFIO device fd (it is " + file + ")");
            assertThat(Resources.openFds()).as("the duplicate is closed").isEqualTo(before);
        } finally {
            libc.close(fd);
        }
        assertThatThrownBy(() -> new Devices(List.of()).open("fd:2")).hasMessage("'fd:2' is not an fd: spec: expected"
                + " fd:N with N an inherited fd of 3 or more");
    }
}
