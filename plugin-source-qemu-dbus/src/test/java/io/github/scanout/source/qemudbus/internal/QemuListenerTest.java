package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.types.UInt32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QemuDisplay} against a real QEMU with a standard VGA and no disk, so SeaBIOS draws its
 * screen: the display connection through QMP, a listener registered for console 0 on a second
 * peer connection (dbus-java as the client on both, QEMU authenticating), and the first
 * {@code Scanout} QEMU calls on it (docs/qemu-dbus.md, fact 6).
 */
class QemuListenerTest {

    static final Duration WAIT = RealQemu.WAIT;

    @TempDir
    Path dir;

    RealQemu real;
    Process qemu;
    Path sock;

    @BeforeEach
    void startQemu() throws Exception {
        real = RealQemu.start(dir, "-machine", "pc", "-vga", "none", "-device", "VGA");
        qemu = real.process;
        sock = real.sock;
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    /** Records the first Scanout; the rest of QEMU's calls are ignored here. */
    static final class FirstScanout implements Display1Listener {
        final CompletableFuture<long[]> first = new CompletableFuture<>();

        @Override
        public void Scanout(UInt32 width, UInt32 height, UInt32 stride, UInt32 format, byte[] data) {
            first.complete(new long[] {width.longValue(), height.longValue(), stride.longValue(), format.longValue(), data.length});
        }

        @Override
        public void Update(int x, int y, int w, int h, UInt32 stride, UInt32 format, byte[] data) { }

        @Override
        public void ScanoutDMABUF(org.freedesktop.dbus.FileDescriptor fd, UInt32 w, UInt32 h, UInt32 stride,
                UInt32 fourcc, org.freedesktop.dbus.types.UInt64 modifier, boolean y0Top) { }

        @Override
        public void UpdateDMABUF(int x, int y, int w, int h) { }

        @Override
        public void Disable() { }

        @Override
        public void MouseSet(int x, int y, int on) { }

        @Override
        public void CursorDefine(int w, int h, int hotX, int hotY, byte[] data) { }
    }

    @Test
    void firstScanoutOfSeaBiosArrives() throws Exception {
        FirstScanout listener = new FirstScanout();
        try (QmpClient qmp = QmpClient.connect(sock, WAIT);
             QemuDisplay display = QemuDisplay.open(qmp, WAIT);
             Peer registered = display.registerListener(0, listener)) {
            long[] s = listener.first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // SeaBIOS's VGA screen: 640 x 480, PIXMAN_x8r8g8b8 (0x20020888), every byte sent
            assertThat(s).containsExactly(640, 480, 2560, 0x20020888L, 2560L * 480);
            assertThat(registered.connection().isConnected()).isTrue();
        }
        assertThat(qemu.isAlive()).as("QEMU outlives a listener that goes away").isTrue();
    }

    @Test
    void aConsoleQemuDoesNotHaveIsOneLine() throws Exception {
        try (QmpClient qmp = QmpClient.connect(sock, WAIT);
             QemuDisplay display = QemuDisplay.open(qmp, WAIT)) {
            assertThatThrownBy(() -> display.registerListener(7, new FirstScanout()))
                .hasMessageStartingWith("QEMU refused a listener for console 7: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
