package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.source.qemudbus.internal.QmpClient.QmpCommandException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

/**
 * {@link QmpClient} against a real QEMU (Debian's qemu-system-x86, installed by .ci/run) started
 * per test with {@code -machine none -display dbus,p2p=yes} and a QMP server socket: the
 * greeting, {@code getfd} with one end of a socket pair, {@code add_client} of the D-Bus display,
 * and QEMU's own errors arriving as one line (docs/qemu-dbus.md, facts 1 to 3).
 */
class QemuQmpTest {

    static final Duration WAIT = RealQemu.WAIT;

    @TempDir
    Path dir;

    RealQemu real;
    Process qemu;
    Path sock;

    @BeforeEach
    void startQemu() throws Exception {
        real = RealQemu.start(dir, "-machine", "none", "-S");
        qemu = real.process;
        sock = real.sock;
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    @Test
    void handsQemuAPeerDbusConnection() throws Exception {
        try (QmpClient qmp = QmpClient.connect(sock, WAIT);
             AFUNIXSocketPair<AFUNIXSocketChannel> pair = AFUNIXSocketPair.open()) {
            assertThat(qmp.qemuVersion()).matches("\\d+\\.\\d+\\.\\d+");
            int major = Integer.parseInt(qmp.qemuVersion().split("\\.")[0]);
            assertThat(major).as("-display dbus needs QEMU 7.0 or later").isGreaterThanOrEqualTo(7);
            qmp.getfd("dbus0", pair.getSocket1().getFileDescriptor());
            qmp.addDbusClient("dbus0");
            // QEMU now speaks D-Bus on the other end: as the server it waits for the client's
            // credentials byte and AUTH; one byte and AUTH EXTERNAL's first step get an answer
            // (REJECTED or OK, fact 4), which only a D-Bus server on that fd can give.
            java.net.Socket other = pair.getSocket2().socket();
            other.setSoTimeout((int) WAIT.toMillis());
            other.getOutputStream().write("\0AUTH\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = other.getInputStream();
            StringBuilder line = new StringBuilder();
            while (line.indexOf("\n") < 0) {
                int b = in.read();
                assertThat(b).as("QEMU's D-Bus server answered AUTH").isNotNegative();
                line.append((char) b);
            }
            assertThat(line.toString()).startsWith("REJECTED ").contains("EXTERNAL");
        }
        assertThat(qemu.isAlive()).isTrue();
    }

    @Test
    void getfdWithoutAnFdIsOneLine() throws Exception {
        try (QmpClient qmp = QmpClient.connect(sock, WAIT)) {
            assertThatThrownBy(() -> qmp.getfd("dbus0", null))
                .isInstanceOf(QmpCommandException.class)
                .hasMessage("QMP getfd failed: No file descriptor supplied via SCM_RIGHTS");
        }
    }

    @Test
    void addClientWithAnUnknownNameIsOneLine() throws Exception {
        try (QmpClient qmp = QmpClient.connect(sock, WAIT)) {
            assertThatThrownBy(() -> qmp.addDbusClient("nosuch"))
                .isInstanceOf(QmpCommandException.class)
                .hasMessage("QMP add_client failed: File descriptor named 'nosuch' has not been found");
            // the session goes on after an error
            try (AFUNIXSocketPair<AFUNIXSocketChannel> pair = AFUNIXSocketPair.open()) {
                qmp.getfd("dbus1", pair.getSocket1().getFileDescriptor());
                qmp.addDbusClient("dbus1");
            }
        }
    }

    @Test
    void notAQmpSocketIsNamed() throws IOException {
        Path missing = dir.resolve("none.sock");
        assertThatThrownBy(() -> QmpClient.connect(missing, WAIT))
            .hasMessageStartingWith("cannot connect to QMP socket " + missing);
    }
}
