package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.core.Devices;
import io.github.scanout.source.region.RegionSources;
import io.github.scanout.testsupport.QemuScreendump;
import io.github.scanout.testsupport.QemuScreendump.Picture;
import io.github.scanout.testsupport.RecordingReporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code qemu-dbus:} device against a real QEMU 7.2 with a standard VGA and no disk (SeaBIOS
 * draws its text screen): {@code --device qemu-dbus:qmp:SOCK} opened through core's
 * {@link Devices} and read by the region plane source, as the pipeline reads it. A captured frame
 * equals, pixel for pixel, QEMU's own picture of the same moment ({@code screendump} through QMP,
 * a PPM), and killing QEMU makes the device gone with a reason.
 *
 * <p>"The same moment": QEMU sends its changes as messages, so a frame and a screendump taken one
 * after the other may see different states while SeaBIOS still draws (and its text cursor
 * blinks). The test takes pairs until one is equal (waiting up to {@link RealQemu#WAIT}); a
 * picture that never matched fails it, with the last count of differing pixels.
 */
class QemuDbusDeviceTest {

    @TempDir
    Path dir;

    RealQemu real;
    final RecordingReporter lines = new RecordingReporter();

    @BeforeEach
    void startQemu() throws Exception {
        real = RealQemu.start(dir, "-machine", "pc", "-vga", "none", "-device", "VGA");
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    GfxDevice open() throws DeviceException {
        return new Devices(List.of(new QemuDbusDeviceProvider(lines))).open("qemu-dbus:qmp:" + real.sock);
    }

    /** The first plane QEMU's Scanout made (polled: the listener receives it after the open). */
    static PlaneInfo awaitPlane(GfxDevice device) throws Exception {
        long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
        while (true) {
            Optional<PlaneInfo> p = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY);
            if (p.isPresent()) {
                return p.get();
            }
            assertThat(System.nanoTime()).as("a Scanout from QEMU within " + RealQemu.WAIT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aCapturedFrameEqualsQemusScreendump() throws Exception {
        GfxDevice device = open();
        try {
            capturedFrameEqualsScreendump(device, real.sock, dir);
            assertThat(lines.lines()).as("no message of QEMU was refused").isEmpty();
        } finally {
            device.close();
        }
        assertThat(real.process.isAlive()).as("QEMU outlives a device that is closed").isTrue();
    }

    /**
     * Reads frames of {@code device} through the region source and QEMU's screendumps through
     * {@code qmp} (into {@code dir}) in pairs until one pair is equal, pixel for pixel.
     */
    static void capturedFrameEqualsScreendump(GfxDevice device, Path qmp, Path dir) throws Exception {
        try (PlaneSession session = RegionSources.create().open(device)) {
            PlaneInfo plane = awaitPlane(device);
            assertThat(plane.format()).isEqualTo(DrmFormat.XRGB8888);
            long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
            int attempts = 0;
            long differing;
            int[] ours;
            Picture theirs;
            do {
                attempts++;
                theirs = screendump(qmp, dir.resolve("screen-" + attempts + ".ppm"));
                try (PlaneBuffer frame = session.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                    ours = rgb(frame);
                    // a mode switch between the two pictures is a different moment too
                    boolean sameSize = frame.info().width() == theirs.width() && frame.info().height() == theirs.height();
                    differing = sameSize ? differing(ours, theirs.rgb()) : -1;
                }
                if (differing != 0) {
                    Thread.sleep(100);
                }
            } while (differing != 0 && System.nanoTime() < deadline);
            assertThat(differing).as("pixels that differ from QEMU's screendump after %d pairs (-1: another size)",
                attempts).isZero();
            // SeaBIOS's screen is not blank: the comparison compared a picture
            assertThat(java.util.Arrays.stream(ours).distinct().count()).isGreaterThan(1);
        }
    }

    /**
     * A resize in the guest reaches the device: SeaBIOS's switch from 640 x 480 graphics to
     * 720 x 400 text, which QEMU 7.2 sends as Updates of the new size without a Scanout
     * (docs/qemu-dbus.md, fact 7), makes the plane 720 x 400 with a packed stride.
     */
    @Test
    void seaBiosSwitchingToTextResizesThePlane() throws Exception {
        GfxDevice device = open();
        try {
            long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
            PlaneInfo p = awaitPlane(device);
            while (p.width() != 720) {
                assertThat(System.nanoTime()).as("the 720 x 400 text mode within %s (now %s)", RealQemu.WAIT, p)
                    .isLessThan(deadline);
                Thread.sleep(50);
                p = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElse(p);
            }
            assertThat(p.height()).isEqualTo(400);
            assertThat(p.stride()).isEqualTo(720 * 4);
            assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
            assertThat(lines.lines()).as("no message of QEMU was refused").isEmpty();
        } finally {
            device.close();
        }
    }

    @Test
    void killingQemuMakesTheDeviceGoneWithAReason() throws Exception {
        GfxDevice device = open();
        try {
            awaitPlane(device);
            real.close(); // kills QEMU
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
            assertThat(gone.getMessage()).startsWith("QEMU ended the D-Bus display connection of console 0 of qemu-dbus:qmp:")
                .doesNotContain("\n");
        } finally {
            device.close();
        }
    }

    @Test
    void aSocketWithoutQemuIsOneLine() throws Exception {
        real.close();
        Files.deleteIfExists(real.sock);
        assertThatThrownBy(this::open).isInstanceOf(DeviceException.class)
            .hasMessageStartingWith("qemu-dbus:qmp:" + real.sock + ": ")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** Runs {@code screendump} on the QMP socket {@code qmp} (free again: the device closed its QMP connection). */
    static Picture screendump(Path qmp, Path file) throws IOException {
        return QemuScreendump.take(qmp, file, RealQemu.WAIT);
    }

    /** The frame's pixels as 0xRRGGBB (XRGB8888: B, G, R, X in memory). */
    static int[] rgb(PlaneBuffer frame) {
        PlaneInfo p = frame.info();
        ByteBuffer px = frame.pixels();
        int[] rgb = new int[p.width() * p.height()];
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                int o = y * p.stride() + x * 4;
                rgb[y * p.width() + x] = (px.get(o + 2) & 0xff) << 16 | (px.get(o + 1) & 0xff) << 8 | (px.get(o) & 0xff);
            }
        }
        return rgb;
    }

    static long differing(int[] a, int[] b) {
        long n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
