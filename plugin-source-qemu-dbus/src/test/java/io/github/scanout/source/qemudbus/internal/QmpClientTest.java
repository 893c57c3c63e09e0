package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.source.qemudbus.internal.QmpClient.QmpCommandException;
import io.github.scanout.source.qemudbus.internal.QmpMessage.QmpProtocolException;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketPair;

/**
 * {@link QmpClient} against a fake QMP server in the test (a junixsocket server socket): what
 * the client sends, the fd it attaches, events skipped, errors and protocol faults as one line.
 */
class QmpClientTest {

    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7},"
        + " \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    AFUNIXServerSocket server;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<Integer> fdsReceived = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A server that sends {@code greeting}, then answers the n-th line it reads with {@code answers[n]}. */
    Path serve(String greeting, String... answers) throws IOException {
        Path sock = dir.resolve("qmp.sock");
        server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock));
        CompletableFuture.runAsync(() -> {
            try (AFUNIXSocket s = server.accept()) {
                s.setAncillaryReceiveBufferSize(1024);
                OutputStream out = s.getOutputStream();
                out.write(greeting.getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                for (String answer : answers) {
                    String line = in.readLine();
                    if (line == null) {
                        return;
                    }
                    FileDescriptor[] fds = s.getReceivedFileDescriptors();
                    fdsReceived.add(fds == null ? 0 : fds.length);
                    received.add(line);
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                in.readLine(); // until the client closes
            } catch (IOException e) {
                received.add("server: " + e);
            }
        });
        return sock;
    }

    @Test
    void handsQemuAnFdThenAddsTheDbusClientSkippingEvents() throws Exception {
        String event = "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 0}, \"event\": \"RESUME\"}\r\n";
        Path sock = serve(GREETING, "{\"return\": {}}\r\n", event + "{\"return\": {}}\r\n", event + event + "{\"return\": {}}\r\n");
        try (QmpClient qmp = QmpClient.connect(sock, WAIT);
             AFUNIXSocketPair<?> pair = AFUNIXSocketPair.open()) {
            assertThat(qmp.qemuVersion()).isEqualTo("7.2.22");
            qmp.getfd("dbus0", pair.getSocket1().getFileDescriptor());
            qmp.addDbusClient("dbus0");
            assertThat(qmp.eventsSkipped()).isEqualTo(3);
        }
        assertThat(received).containsExactly(
            "{\"execute\":\"qmp_capabilities\"}",
            "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"dbus0\"}}",
            "{\"execute\":\"add_client\",\"arguments\":{\"protocol\":\"@dbus-display\",\"fdname\":\"dbus0\"}}");
        assertThat(fdsReceived).containsExactly(0, 1, 0);
    }

    @Test
    void qemuErrorIsOneLineNamingTheCommand() throws Exception {
        Path sock = serve(GREETING, "{\"return\": {}}\n",
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"File descriptor named 'nosuch' has not been found\"}}\n");
        try (QmpClient qmp = QmpClient.connect(sock, WAIT)) {
            assertThatThrownBy(() -> qmp.addDbusClient("nosuch"))
                .isInstanceOf(QmpCommandException.class)
                .hasMessage("QMP add_client failed: File descriptor named 'nosuch' has not been found")
                .satisfies(e -> assertThat(((QmpCommandException) e).errorClass()).isEqualTo("GenericError"));
        }
    }

    @Test
    void aSocketThatIsNotQmpIsNamed() throws Exception {
        Path sock = serve("{\"return\": {}}\n");
        assertThatThrownBy(() -> QmpClient.connect(sock, WAIT))
            .isInstanceOf(QmpProtocolException.class)
            .hasMessage(sock + " is not a QMP socket: its first message is not QMP's greeting");
    }

    @Test
    void garbageGreetingIsOneLine() throws Exception {
        Path sock = serve("SSH-2.0-OpenSSH\n");
        assertThatThrownBy(() -> QmpClient.connect(sock, WAIT))
            .isInstanceOf(QmpProtocolException.class)
            .hasMessageStartingWith("QMP message is not valid JSON: ")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void qemuGoingAwayBeforeTheReplyIsNamed() throws Exception {
        Path sock = serve(GREETING, "{\"return\": {}}\n"); // answers qmp_capabilities only, then closes
        try (QmpClient qmp = QmpClient.connect(sock, WAIT)) {
            assertThatThrownBy(() -> qmp.addDbusClient("dbus0"))
                .isInstanceOf(IOException.class)
                .hasMessage("QMP socket " + sock + " closed before the reply to add_client");
        }
    }

    @Test
    void silentServerTimesOutNamingWhatWasAwaited() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock));
        CompletableFuture<AFUNIXSocket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            assertThatThrownBy(() -> QmpClient.connect(sock, Duration.ofMillis(200)))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage("QMP socket " + sock + " sent nothing for 200 ms while Scanout waited for the greeting");
        } finally {
            accepted.get(60, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void missingSocketIsNamed() {
        Path sock = dir.resolve("absent.sock");
        assertThatThrownBy(() -> QmpClient.connect(sock, WAIT))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("cannot connect to QMP socket " + sock + ": ");
    }

    @Test
    void fdNamesAreCheckedBeforeAnythingIsSent() throws Exception {
        Path sock = serve(GREETING, "{\"return\": {}}\n");
        try (QmpClient qmp = QmpClient.connect(sock, WAIT)) {
            assertThatThrownBy(() -> qmp.addDbusClient("a\"b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("QMP fd name must be letters, digits, '-', '_' or '.', got 'a\"b'");
        }
        assertThat(received).containsExactly("{\"execute\":\"qmp_capabilities\"}");
    }
}
