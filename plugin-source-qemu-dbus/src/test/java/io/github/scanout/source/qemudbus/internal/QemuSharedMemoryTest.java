package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code qemu-dbus:} device against a real QEMU 10 (Debian bookworm-backports', unpacked by
 * {@code .ci/newer-qemu}: {@link RealQemu#NEWER}), which shares the console's picture through a
 * memfd once the listener lists {@code org.qemu.Display1.Listener.Unix.Map}: Scanout holds a dup of
 * QEMU's {@code /memfd:displaysurface} while the device is open (so the picture came by
 * {@code ScanoutMap}, not inside the messages), a captured frame equals QEMU's screendump pixel for
 * pixel, SeaBIOS's switch to its 720 x 400 text screen resizes the plane, nothing is refused, and
 * the dup is closed with the device.
 */
class QemuSharedMemoryTest {

    @TempDir
    Path dir;

    RealQemu real;

    @BeforeEach
    void startQemu() throws Exception {
        real = RealQemu.startNewer(dir, "-machine", "pc", "-vga", "none", "-device", "VGA");
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    @Test
    void qemuTenSharesThePictureAndAFrameEqualsItsScreendump() throws Exception {
        Map<Integer, String> before = Resources.fdSnapshot();
        RecordingReporter lines = new RecordingReporter();
        GfxDevice device = new Devices(List.of(new QemuDbusDeviceProvider(lines))).open("qemu-dbus:qmp:" + real.sock);
        try {
            QemuDbusDeviceTest.awaitPlane(device);
            assertThat(shared(before)).as("Scanout's dup of QEMU's shared picture while the device is open")
                .isGreaterThanOrEqualTo(1);
            QemuDbusDeviceTest.capturedFrameEqualsScreendump(device, real.sock, dir);

            long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
            PlaneInfo p = QemuDbusDeviceTest.awaitPlane(device);
            while (p.width() != 720) {
                assertThat(System.nanoTime()).as("SeaBIOS's 720 x 400 text mode within %s (now %s)", RealQemu.WAIT, p)
                    .isLessThan(deadline);
                Thread.sleep(50);
                p = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElse(p);
            }
            assertThat(p.height()).isEqualTo(400);
            QemuDbusDeviceTest.capturedFrameEqualsScreendump(device, real.sock, dir);
            assertThat(lines.lines()).as("no message of QEMU 10 was refused").isEmpty();
        } finally {
            device.close();
        }
        assertThat(shared(before)).as("no copy of QEMU's shared picture after the close").isZero();
    }

    /** Fds of QEMU's shared picture ({@code /memfd:displaysurface}) this process holds now and did not before. */
    static long shared(Map<Integer, String> before) {
        return Resources.fdsOpenedSince(before).values().stream().filter(t -> t.contains("memfd:displaysurface")).count();
    }
}
