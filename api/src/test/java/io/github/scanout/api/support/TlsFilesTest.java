package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS identity from PEM files made by the real {@code openssl}, served by {@link
 * LoopbackHttpServer}'s HTTPS server and read by the JDK's HTTP client trusting that certificate.
 */
class TlsFilesTest {
    @TempDir
    Path dir;

    /** {@code openssl req}: a self-signed certificate for 127.0.0.1 and its PKCS#8 key. */
    static void selfSigned(Path cert, Path key, String algorithm) throws Exception {
        Process p = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", algorithm, "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void anOpensslPairServesHttpsThatAClientTrustingTheCertificateReads() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key, "rsa:2048");
        SSLContext tls = TlsFiles.context(cert, key, "tls.cert", "tls.key", "configuration x");
        LoopbackHttpServer server = LoopbackHttpServer.start(new InetSocketAddress("127.0.0.1", 0), 1, "tls-test", ex -> {
            byte[] body = "over tls".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        }, tls);
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(client).build().send(HttpRequest.newBuilder(
                    URI.create("https://" + server.hostPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("over tls");
        } finally {
            server.stop();
        }
    }

    @Test
    void badFilesAreRefusedInOneLineNamingTheConfigurationTheKeyAndTheFile() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key, "rsa:2048");
        Path text = Files.writeString(dir.resolve("text.pem"), "not pem\n");
        assertThatThrownBy(() -> TlsFiles.context(text, key, "tls.cert", "tls.key", "configuration x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration x: tls.cert=" + text + " holds no PEM certificate");
        assertThatThrownBy(() -> TlsFiles.context(cert, text, "tls.cert", "tls.key", "configuration x"))
                .hasMessageStartingWith("configuration x: tls.key=" + text + " holds no PEM private key; an unencrypted"
                        + " PKCS#8 key ('PRIVATE KEY') is needed");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> TlsFiles.context(cert, missing, "tls.cert", "tls.key", "configuration x"))
                .hasMessageStartingWith("configuration x: tls.key=" + missing + " cannot be read (NoSuchFileException")
                .hasMessageNotContaining("\n");
    }
}
