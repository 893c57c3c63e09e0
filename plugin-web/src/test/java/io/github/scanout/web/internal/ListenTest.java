package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's listen value and its configuration, through api.support's toolkit. */
class ListenTest {
    @TempDir
    Path dir;

    @Test
    void theComponentRefusesANonLoopbackConfigurationNamingIt() {
        Function<String, Map<String, Object>> model = verb -> Map.of("error", "none");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("service.pid", "io.github.scanout.web",
                "listen", "0.0.0.0:0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.github.scanout.web")
                .hasMessageEndingWith(": listen = 0.0.0.0:0 is not a loopback address: there the web console needs TLS"
                        + " and logins, and tls.cert, tls.key and htpasswd.file are not set; set them, or browse on this"
                        + " host or through an SSH tunnel")
                .hasMessageNotContaining("\n");
    }

    @Test
    void tlsWithoutLoginsOrLoginsWithoutTlsAreRefusedAtStartNamingWhatIsMissing() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Tools.certificate(cert, key);
        Path users = Tools.htpasswd(dir.resolve("users"), "viv", "pw");
        Function<String, Map<String, Object>> model = verb -> Map.of("error", "none");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "0.0.0.0:0",
                "tls.cert", cert.toString(), "tls.key", key.toString())))
                .hasMessageEndingWith("listen = 0.0.0.0:0 is not a loopback address: there the web console needs TLS and"
                        + " logins, and htpasswd.file is not set; set them, or browse on this host or through an SSH tunnel");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "0.0.0.0:0",
                "htpasswd.file", users.toString())))
                .hasMessageContaining("and tls.cert and tls.key are not set");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "127.0.0.1:0",
                "htpasswd.file", users.toString())))
                .hasMessageEndingWith(": htpasswd.file needs tls.cert and tls.key: HTTP Basic sends the password with"
                        + " every request, so the console asks for it over https only");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "127.0.0.1:0",
                "tls.cert", cert.toString())))
                .hasMessageEndingWith(": tls.key is missing: tls.cert and tls.key go together (the certificate and its"
                        + " private key, PEM files)");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "0.0.0.0:0",
                "tls.cert", cert.toString(), "tls.key", key.toString(), "htpasswd.file", users.toString(),
                "controllers", "root")))
                .hasMessageEndingWith(": controllers = root: root is not a user of htpasswd.file=" + users);
        // all three: served over https on every address, and the URL says so
        WebComponent c = new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "0.0.0.0:0",
                "tls.cert", cert.toString(), "tls.key", key.toString(), "htpasswd.file", users.toString()));
        try {
            assertThat(c.address().getAddress().isAnyLocalAddress()).isTrue();
            assertThat(c.url()).startsWith("https://");
        } finally {
            c.deactivate();
        }
    }

    @Test
    void theComponentServesOnAFreeLoopbackPortAndOnItsDefaultWithoutListen() {
        WebComponent c = new WebComponent(verb -> Map.of("error", "none"), r -> Map.of("status", 1), Map.of("listen", "127.0.0.1:0"));
        try {
            assertThat(c.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.address().getPort()).isPositive();
        } finally {
            c.deactivate();
        }
        assertThatThrownBy(() -> new WebComponent(verb -> Map.of("error", "none"), r -> Map.of("status", 1), Map.of("listen", "[::1]:99999")))
                .hasMessageContaining(": listen = [::1]:99999: expected a port from 0 to 65535");
    }
}
