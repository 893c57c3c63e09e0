package io.github.scanout.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.testsupport.QemuScreendump.Picture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QemuScreendump} against a QMP server played here (the greeting, capabilities, then the
 * screendump writing a PPM, as QEMU does), and its PPM reader. The real QEMU is in the tests that
 * use it (plugin-source-qemu-dbus's QemuDbusDeviceTest, kernel-e2e's QemuDbusConsoleCheck).
 */
class QemuScreendumpTest {

    static final Pattern FILENAME = Pattern.compile("\"filename\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    /** A 2 x 1 PPM: a red and a blue pixel. */
    static byte[] ppm() {
        byte[] header = "P6\n2 1\n255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[header.length + 6];
        System.arraycopy(header, 0, f, 0, header.length);
        f[header.length] = (byte) 0xff;
        f[header.length + 5] = (byte) 0x80;
        return f;
    }

    /** Serves one QMP client: greeting, then {@code answer} for each command after capabilities. */
    Thread qmp(Path sock, String screendumpAnswer, List<String> commands) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread t = new Thread(() -> {
            try (server; SocketChannel c = server.accept()) {
                OutputStream out = Channels.newOutputStream(c);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                        StandardCharsets.UTF_8));
                out.write("{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\n".getBytes(StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    commands.add(line);
                    if (line.contains("qmp_capabilities")) {
                        out.write("{\"return\": {}}\n".getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    Matcher m = FILENAME.matcher(line);
                    if (m.find() && screendumpAnswer.contains("return")) {
                        Files.write(Path.of(m.group(1)), ppm());
                    }
                    // an event first: the reply is the first message that is not one
                    out.write(("{\"event\": \"RESUME\"}\n" + screendumpAnswer + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                commands.add("server: " + e);
            }
        });
        t.start();
        return t;
    }

    @Test
    void takesTheScreendumpQemuWrites() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        List<String> commands = new CopyOnWriteArrayList<>();
        Thread server = qmp(sock, "{\"return\": {}}", commands);
        Picture p = QemuScreendump.take(sock, dir.resolve("shot.ppm"), Duration.ofSeconds(60));
        server.join();
        assertThat(p.width()).isEqualTo(2);
        assertThat(p.height()).isEqualTo(1);
        assertThat(p.at(0, 0)).isEqualTo(0xff0000);
        assertThat(p.at(1, 0)).isEqualTo(0x000080);
        assertThat(commands).containsExactly("{\"execute\":\"qmp_capabilities\"}",
                "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"" + dir.resolve("shot.ppm") + "\"}}");
    }

    @Test
    void qemusErrorIsAnIOExceptionWithItsReply() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        Thread server = qmp(sock, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no surface\"}}",
                new CopyOnWriteArrayList<>());
        assertThatThrownBy(() -> QemuScreendump.take(sock, dir.resolve("shot.ppm"), Duration.ofSeconds(60)))
                .isInstanceOf(IOException.class).hasMessageContaining("screendump").hasMessageContaining("no surface");
        server.join();
    }

    @Test
    void aPpmThatIsNotP6Or255OrTooShortIsRefused() {
        assertThatThrownBy(() -> QemuScreendump.readPpm("P3\n1 1\n255\n000".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("P6");
        assertThatThrownBy(() -> QemuScreendump.readPpm("P6\n1 1\n65535\n012345".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("maxval");
        assertThatThrownBy(() -> QemuScreendump.readPpm("P6\n2 1\n255\n012".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("2 x 1");
        assertThatThrownBy(() -> QemuScreendump.readPpm("P6\n2".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("ends early");
    }
}
