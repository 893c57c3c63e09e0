package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.Damage;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.source.qemudbus.internal.QemuDmaBufTest.Picture;
import io.github.scanout.source.qemudbus.internal.QemuDmaBufTest.TestEndpoint;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU 8's shared-memory scanouts ({@code org.qemu.Display1.Listener.Unix.Map}) from a fake QEMU
 * on a real D-Bus peer connection: {@code fake_qemu_map.py}, GLib's GDBus (QEMU's own D-Bus
 * library, from Debian's {@code python3-gi}) as the server, first loads the listener's
 * properties as QEMU's GDBus proxy does and finds the interface in {@code Interfaces}, then sends
 * {@code ScanoutMap} with a memfd (not sealed, as QEMU 10 sends it; the picture 4096 bytes into it)
 * and {@code UpdateMap} after changing a block, and a {@code ScanoutMap} whose picture the memfd
 * does not hold. The device shows the picture with the block as a region device, the damage is
 * QEMU's rectangles, the last one is refused in one line, and every fd of the device is closed
 * with it. Debian 12's QEMU 7.2 does
 * not share memory, so no real QEMU here can send these.
 */
class QemuSharedMemoryPeerTest {

    @TempDir
    Path dir;

    @Test
    void aGdbusPeerSharesItsPictureThroughAMemfd() throws Exception {
        Map<Integer, String> before = Resources.fdSnapshot();
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        ConsoleDamage damage = new ConsoleDamage();
        surface.reportDamageTo(damage);
        damage.take();
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener listener = new SurfaceListener("qemu-dbus:test", surface, ConditionLog.once(lines));
        try (GdbusFakeQemu qemu = GdbusFakeQemu.start(dir, "fake_qemu_map.py")) {
            // while connected: the two received copies (junixsocket keeps each) and the surface's dup
            List<String> calls = qemu.talkTo(listener,
                () -> assertThat(memfds(before)).as("while connected").isEqualTo(3));
            assertThat(memfds(before)).as("after the connection closed: the surface's dup").isEqualTo(1);
            assertThat(calls).containsExactly(
                "interfaces " + Display1ListenerMap.NAME,
                "signature ScanoutMap(huuuuu)", // QEMU's ui/dbus-display1.xml
                "signature UpdateMap(iiii)",
                "ScanoutMap ok", "UpdateMap ok", "ScanoutMap ok");
            assertThat(lines.lines()).as("the picture the memfd does not hold is refused").containsExactly(
                "WARNING qemu-dbus:test: QEMU ScanoutMap refused: offset + stride x height 10752 is more than the 6656"
                    + " bytes the memfd holds");
            assertThat(damage.take()).isEqualTo(Damage.of(0, 0, 32, 16).plus(Damage.of(2, 3, 4, 5)));

            PlaneInfo plane = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
            assertThat(plane.width() + "x" + plane.height() + " stride " + plane.stride()).isEqualTo("32x16 stride 160");
            ByteBuffer px = ByteBuffer.allocateDirect(160 * 16).order(ByteOrder.LITTLE_ENDIAN);
            device.readRegion((int) plane.bufferId(), 0, px);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 32; x++) {
                    boolean block = x >= 2 && x < 6 && y >= 3 && y < 8;
                    assertThat(px.getInt(y * 160 + x * 4) & 0xFFFFFF).as("pixel %d,%d", x, y)
                        .isEqualTo(block ? 0xABCDEF : Picture.pixel(x, y, 9));
                }
            }
        } finally {
            device.close();
        }
        assertThat(memfds(before)).as("the dup is closed with the device").isZero();
    }

    /** The fake QEMU's memfds this process holds now that it did not hold {@code before}. */
    static long memfds(Map<Integer, String> before) {
        return Resources.fdsOpenedSince(before).values().stream().filter(t -> t.contains("fake-qemu-map")).count();
    }
}
