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

    /**
     * What Felix HTTP is configured with: the one address and port the console was given, plain
     * http alone on loopback; https alone with the key store, a 0600 file in a 0700 directory,
     * that holds the certificate's key under the configuration's password.
     */
    @Test
    void theHttpServiceIsConfiguredForTheGivenAddressAloneAndItsKeyStoreIsPrivate() throws Exception {
        Function<String, Map<String, Object>> model = verb -> Map.of("error", "none");
        WebComponent plain = new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "127.0.0.1:0"),
                dir.resolve("plain"));
        assertThat(plain.address().getPort()).isPositive();
        assertThat(plain.http()).containsEntry("org.apache.felix.http.host", "127.0.0.1")
                .containsEntry("org.apache.felix.http.enable", "true")
                .containsEntry("org.osgi.service.http.port", Integer.toString(plain.address().getPort()))
                .containsEntry("org.apache.felix.https.enable", "false")
                .containsEntry("org.osgi.service.http.port.secure", "-1")
                .doesNotContainKey("org.apache.felix.https.keystore");
        assertThat(plain.url()).isEqualTo("http://127.0.0.1:" + plain.address().getPort() + "/");
        assertThat(plain.keyStore()).isNull();

        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Tools.certificate(cert, key);
        Path users = Tools.htpasswd(dir.resolve("users"), "viv", "pw");
        Path tlsDir = dir.resolve("tls");
        WebComponent tls = new WebComponent(model, r -> Map.of("status", 1), Map.of("listen", "127.0.0.2:0",
                "tls.cert", cert.toString(), "tls.key", key.toString(), "htpasswd.file", users.toString()), tlsDir);
        try {
            Map<String, Object> h = tls.http();
            assertThat(h).containsEntry("org.apache.felix.http.host", "127.0.0.2")
                    .containsEntry("org.apache.felix.http.enable", "false")
                    .containsEntry("org.osgi.service.http.port", "-1")
                    .containsEntry("org.apache.felix.https.enable", "true")
                    .containsEntry("org.osgi.service.http.port.secure", Integer.toString(tls.address().getPort()))
                    .containsEntry("org.apache.felix.https.keystore", tlsDir.resolve("console.p12").toString())
                    .containsEntry("org.apache.felix.https.keystore.type", "PKCS12");
            assertThat(tls.url()).isEqualTo("https://127.0.0.2:" + tls.address().getPort() + "/");
            assertThat(java.nio.file.Files.getPosixFilePermissions(tlsDir))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            assertThat(java.nio.file.Files.getPosixFilePermissions(tls.keyStore()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            char[] password = String.valueOf(h.get("org.apache.felix.https.keystore.password")).toCharArray();
            try (var in = java.nio.file.Files.newInputStream(tls.keyStore())) {
                store.load(in, password);
            }
            assertThat(store.isKeyEntry("scanout")).isTrue();
            assertThat(store.getKey("scanout", String.valueOf(h.get("org.apache.felix.https.keystore.key.password"))
                    .toCharArray())).isNotNull();
        } finally {
            tls.deactivate();
        }
        assertThat(tlsDir.resolve("console.p12")).doesNotExist();
    }

    @Test
    void aPortInUseIsRefusedInOneLineNamingTheAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> new WebComponent(verb -> Map.of("error", "none"), r -> Map.of("status", 1),
                    Map.of("service.pid", "io.github.scanout.web", "listen", "127.0.0.1:" + taken.getLocalPort())))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageStartingWith("configuration io.github.scanout.web: cannot listen on /127.0.0.1:"
                            + taken.getLocalPort() + ": ")
                    .hasMessageNotContaining("\n");
        }
    }
}
