package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VNC sink's configuration: listen addresses, the loopback rule, the password file. */
class VncOptionsTest {
    @TempDir
    Path dir;

    @Test
    void listenDefaultsToLoopbackAndTakesPortOrHostPort() {
        VncOptions d = VncOptions.parse(Map.of());
        assertThat(d.address().isLoopbackAddress()).isTrue();
        assertThat(d.port()).isEqualTo(5900);
        assertThat(VncOptions.parse(Map.of("listen", "5901")).port()).isEqualTo(5901);
        assertThat(VncOptions.parse(Map.of("listen", "127.0.0.1:0")).port()).isZero();
        VncOptions v6 = VncOptions.parse(Map.of("listen", "[::1]:5999"));
        assertThat(v6.address().isLoopbackAddress()).isTrue();
        assertThat(v6.port()).isEqualTo(5999);
        assertThat(VncOptions.parse(Map.of("listen", "localhost:5902")).address().isLoopbackAddress()).isTrue();
    }

    @Test
    void anAddressOffLoopbackIsRefusedUnlessInsecure() {
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "0.0.0.0:5900")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("vnc sink configuration: listen=0.0.0.0:5900 is not a loopback address")
                .hasMessageContaining("without a password").hasMessageContaining("insecure=true")
                .hasMessageContaining("ssh -L");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "0.0.0.0:5900", "tls.cert", "/c.pem", "tls.key",
                "/k.pem"))).hasMessageContaining("is not a loopback address: viewers would connect over the network "
                + "encrypted and without a password");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "0.0.0.0:5900", "password.file", "/p")))
                .hasMessageContaining("over the network unencrypted. Set tls.cert, tls.key and password.file");
        VncOptions tls = VncOptions.parse(Map.of("listen", "0.0.0.0:5900", "tls.cert", "/c.pem", "tls.key", "/k.pem",
                "password.file", "/p"));
        assertThat(tls.tlsCert()).hasToString("/c.pem");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("tls.cert", "/c.pem")))
                .hasMessage("vnc sink configuration: tls.key is missing: tls.cert and tls.key go together (the "
                        + "certificate and its private key, PEM files)");
        VncOptions o = VncOptions.parse(Map.of("listen", "0.0.0.0:5900", "insecure", "true"));
        assertThat(o.insecure()).isTrue();
        assertThat(o.address().isAnyLocalAddress()).isTrue();
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "127.0.0.1:70000")))
                .hasMessage("vnc sink configuration: listen=127.0.0.1:70000 is not accepted; expected a port from 0 to "
                        + "65535 (0 picks a free one), as HOST:PORT or PORT");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "::1:5900")))
                .hasMessageContaining("write an IPv6 address in brackets");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("max.viewers", "0")))
                .hasMessage("vnc sink configuration: max.viewers=0 is not accepted; expected a whole number from 1 to 1000");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("insecure", "yes")))
                .hasMessage("vnc sink configuration: insecure=yes is not accepted; expected true or false");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("timeout", "soon")))
                .hasMessageStartingWith("vnc sink configuration: timeout=soon is not accepted");
        // the component reads with the configuration toolkit: a typo is one warning naming it,
        // framework keys are not the sink's business
        var reader = io.github.scanout.api.support.ConfigReader.forSink("configuration x", VncSinkComponent.KEYS,
                Map.of("listen", "127.0.0.1:0", "pasword.file", "p", "service.pid", "x", "sink.name", "v"));
        assertThat(reader.errors()).isEmpty();
        assertThat(reader.warnings()).singleElement().asString().contains("pasword.file").contains("password.file");
        assertThat(io.github.scanout.api.support.ConfigReader.forSink("configuration x", VncSinkComponent.KEYS,
                Map.of("max.viewers", "many")).errors()).singleElement().asString()
                .startsWith("configuration x: max.viewers = 'many' is refused");
    }

    @Test
    void thePasswordIsTheFirstLineOfItsFile() throws Exception {
        List<String> log = new ArrayList<>();
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "secret\r\nsecond line\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        VncOptions o = VncOptions.parse(Map.of("password.file", pw.toString()));
        assertThat(VncSink.readPassword(o, "vnc-1", (l, m) -> log.add(m))).isEqualTo("secret");
        assertThat(log).isEmpty();

        Files.writeString(pw, "muchtoolongpassword\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(VncSink.readPassword(o, "vnc-1", (l, m) -> log.add(m))).isEqualTo("muchtoolongpassword");
        assertThat(log).anyMatch(l -> l.contains("longer than 8 bytes")).anyMatch(l -> l.contains("chmod 600"));

        Files.writeString(pw, "\n");
        assertThatThrownBy(() -> VncSink.readPassword(o, "vnc-1", (l, m) -> { }))
                .hasMessage("vnc sink configuration: password.file=" + pw + " is empty; its first line is the password");
        VncOptions missing = VncOptions.parse(Map.of("password.file", dir.resolve("nope").toString()));
        assertThatThrownBy(() -> VncSink.readPassword(missing, "vnc-1", (l, m) -> { }))
                .hasMessageStartingWith("vnc sink configuration: password.file=" + dir.resolve("nope") + " cannot be read");
    }

    @Test
    void vncAuthenticationMatchesTheProtocolsKnownAnswer() {
        // the DES key is the password's bytes with each byte's bits reversed
        assertThat(VncAuth.key("ab")).containsExactly(0x86, 0x46, 0, 0, 0, 0, 0, 0);
        byte[] challenge = new byte[16];
        for (int i = 0; i < 16; i++) {
            challenge[i] = (byte) i;
        }
        byte[] answer = VncAuth.response("password", challenge);
        assertThat(VncAuth.check("password", challenge, answer)).isTrue();
        assertThat(VncAuth.check("passwore", challenge, answer)).isFalse();
        assertThat(VncAuth.check("password-and-more", challenge, answer)).as("only 8 bytes count").isTrue();
    }

    @Test
    void unixSocketsWebSocketsAndOrigins() {
        VncOptions u = VncOptions.parse(Map.of("listen", "unix:/run/scanout/desk.vnc"));
        assertThat(u.unixPath()).hasToString("/run/scanout/desk.vnc");
        assertThat(u.where()).isEqualTo("unix:/run/scanout/desk.vnc");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "unix:relative.sock")))
                .hasMessage("vnc sink configuration: listen=unix:relative.sock is not accepted; expected unix:/absolute/path "
                        + "for a Unix-domain socket");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "unix:/" + "x".repeat(120))))
                .hasMessageContaining("at most 107 bytes");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("listen", "unix:/tmp/a.sock", "websocket", "0")))
                .hasMessage("vnc sink configuration: listen=unix:/tmp/a.sock: a Unix-domain socket takes neither tls.cert "
                        + "nor websocket (it is reached only from this machine)");
        VncOptions w = VncOptions.parse(Map.of("websocket", "5701", "websocket.origins", "http://127.0.0.1:6080, https://a.example"));
        assertThat(w.websocketPort()).isEqualTo(5701);
        assertThat(w.websocketOrigins()).containsExactlyInAnyOrder("http://127.0.0.1:6080", "https://a.example");
        assertThat(VncOptions.parse(Map.of()).websocketPort()).isEqualTo(-1);
        assertThatThrownBy(() -> VncOptions.parse(Map.of("websocket", "70000")))
                .hasMessageStartingWith("vnc sink configuration: websocket=70000 is not accepted");
        assertThatThrownBy(() -> VncOptions.parse(Map.of("websocket.origins", "evil.example")))
                .hasMessageStartingWith("vnc sink configuration: websocket.origins=evil.example is not accepted");
    }
}
