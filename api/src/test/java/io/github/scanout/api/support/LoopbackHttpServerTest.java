package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The loopback-only listen value and the server it binds, over real HTTP on loopback. */
class LoopbackHttpServerTest {
    private static InetSocketAddress address(String value) {
        return LoopbackHttpServer.address(value, "127.0.0.1:8080", "the thing", "do it another way");
    }

    @Test
    void theDefaultAndEveryLoopbackShapeAreAccepted() {
        assertThat(address(null).toString()).isEqualTo("/127.0.0.1:8080");
        assertThat(address("  ").getPort()).isEqualTo(8080);
        assertThat(address(" 9000 ").getAddress().isLoopbackAddress()).isTrue();
        assertThat(address(":0").getPort()).isZero();
        assertThat(address("[::1]:9000").getAddress().isLoopbackAddress()).isTrue();
        assertThat(address("localhost:9464").getPort()).isEqualTo(9464);
    }

    @Test
    void anythingElseIsRefusedInOneLineNamingTheValue() {
        assertThatThrownBy(() -> address("0.0.0.0:8080")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listen = 0.0.0.0:8080 is not a loopback address: this version serves the thing on loopback"
                        + " only (no TLS, no authentication); do it another way");
        assertThatThrownBy(() -> address("127.0.0.1:99999"))
                .hasMessage("listen = 127.0.0.1:99999: expected a port from 0 to 65535 (0 picks a free one), as HOST:PORT"
                        + " or PORT");
        assertThatThrownBy(() -> address("a:b:1")).hasMessageStartingWith("listen = a:b:1: expected")
                .hasMessageContaining("IPv6 address in brackets");
        assertThatThrownBy(() -> address("no-such-host.invalid:1"))
                .hasMessage("listen = no-such-host.invalid:1: host 'no-such-host.invalid' is not known");
    }

    @Test
    void itServesOnAFreePortOnNamedDaemonThreadsAndStops() throws Exception {
        AtomicReference<Thread> served = new AtomicReference<>();
        LoopbackHttpServer s = LoopbackHttpServer.start(address("127.0.0.1:0"), 2, "test-http", ex -> {
            served.set(Thread.currentThread());
            byte[] b = ex.getRequestURI().getPath().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        try {
            assertThat(s.address().getPort()).isPositive();
            assertThat(s.hostPort()).isEqualTo("127.0.0.1:" + s.address().getPort());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + s.hostPort() + "/any/path")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("/any/path");
            assertThat(served.get().getName()).isEqualTo("test-http-1");
            assertThat(served.get().isDaemon()).isTrue();
            // the port is held: a second server on it is refused, naming the address
            InetSocketAddress taken = s.address();
            assertThatThrownBy(() -> LoopbackHttpServer.start(taken, 1, "second", ex -> ex.close()))
                    .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith("cannot listen on " + taken + ": ");
        } finally {
            s.stop();
        }
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + s.hostPort() + "/")).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void anIpv6LoopbackIsWrittenInBrackets() {
        LoopbackHttpServer s = LoopbackHttpServer.start(address("[::1]:0"), 1, "v6", ex -> ex.close());
        try {
            assertThat(s.hostPort()).isEqualTo("[0:0:0:0:0:0:0:1]:" + s.address().getPort());
        } finally {
            s.stop();
        }
    }

    @Test
    void aServerOnEveryAddressIsNamedByTheMachinesNameInItsUrl() throws Exception {
        LoopbackHttpServer s = LoopbackHttpServer.start(new InetSocketAddress("0.0.0.0", 0), 1, "any", ex -> ex.close());
        try {
            String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            assertThat(s.hostPort()).isEqualTo(name + ":" + s.address().getPort())
                    .doesNotContain("0.0.0.0").doesNotContain("[");
        } finally {
            s.stop();
        }
    }
}
