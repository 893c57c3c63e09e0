package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.source.qemudbus.internal.QemuDmaBufTest.Picture;
import io.github.scanout.source.qemudbus.internal.QemuDmaBufTest.TestEndpoint;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fake QEMU with {@code gl=on} on a real D-Bus peer connection: {@code fake_qemu_gl.py}, GLib's
 * GDBus (the library QEMU's D-Bus display is built on, from Debian's {@code python3-gi}) as the
 * server and authenticator, as QEMU is (docs/qemu-dbus.md, fact 6), calls {@code ScanoutDMABUF}
 * with a memfd in the message's unix fd list and {@code UpdateDMABUF} on the
 * {@link SurfaceListener} that dbus-java exports on the client side with one method-call thread,
 * as {@link PeerConnections} sets it up. What a real QEMU with {@code gl=on} does, which this
 * machine (no render node) cannot run.
 */
class QemuDmaBufPeerTest {

    @TempDir
    Path dir;

    @Test
    void aGdbusPeerHandsADmaBufFdThroughTheListener() throws Exception {
        Map<Integer, String> before = Resources.fdSnapshot();
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener listener = new SurfaceListener("qemu-dbus:test", surface, ConditionLog.once(lines));
        try (GdbusFakeQemu qemu = GdbusFakeQemu.start(dir, "fake_qemu_gl.py")) {
            // while connected: the two fds received (junixsocket keeps each) and the device's dup
            List<String> calls = qemu.talkTo(listener,
                () -> assertThat(scanouts(before)).as("while connected").isEqualTo(3));
            // junixsocket closed the received fds with the connection's socket; the dup lives on
            assertThat(scanouts(before)).as("after the connection closed").isEqualTo(1);
            assertThat(calls).containsExactly(
                "signature ScanoutDMABUF(huuuutb)", // QEMU 7.2's ui/dbus-display1.xml
                "signature UpdateDMABUF(iiii)",
                "ScanoutDMABUF ok", "UpdateDMABUF ok", "ScanoutDMABUF ok");
            assertThat(lines.lines()).as("the bottom-up one is refused").containsExactly(
                "WARNING qemu-dbus:test: QEMU ScanoutDMABUF refused: y0_top false (a bottom-up buffer) is not shown:"
                    + " Scanout reads top-down planes only");
            assertThat(surface.dmaBufUpdates()).isEqualTo(1);
            PlaneInfo plane = device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
            assertThat(plane.width() + "x" + plane.height() + " stride " + plane.stride() + " id " + plane.bufferId())
                .isEqualTo("32x16 stride 160 id 1");
            try (var dmaBuf = device.openDmaBuf(plane); var mapped = dmaBuf.mapReadOnly()) {
                dmaBuf.beginCpuRead();
                var px = mapped.view(0, 160 * 16).order(ByteOrder.LITTLE_ENDIAN);
                int first = px.getInt(0);
                int last = px.getInt(15 * 160 + 31 * 4);
                dmaBuf.endCpuRead();
                assertThat(new int[] {first, last}).as("the fd QEMU sent holds its picture")
                    .containsExactly(Picture.pixel(0, 0, 9), Picture.pixel(31, 15, 9));
            }
        } finally {
            device.close();
        }
        assertThat(QemuDmaBufTest.buffers(Resources.fdsOpenedSince(before))).as("the dup is closed with the device")
            .isEmpty();
    }

    /** The fake QEMU's memfds this process holds now that it did not hold {@code before}. */
    static long scanouts(Map<Integer, String> before) {
        return Resources.fdsOpenedSince(before).values().stream().filter(t -> t.contains("fake-qemu-scanout")).count();
    }
}
