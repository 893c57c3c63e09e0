package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The real tools the tests make their files with: Debian's htpasswd (apache2-utils) and openssl. */
final class Tools {
    private Tools() {}

    /** Runs a command to its end and returns its output; it must succeed. */
    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    /** {@code htpasswd -B -b [-c] FILE NAME PASSWORD} for each name and password pair, in order. */
    static Path htpasswd(Path file, String... namesAndPasswords) throws Exception {
        for (int i = 0; i < namesAndPasswords.length; i += 2) {
            List<String> cmd = new ArrayList<>(List.of("htpasswd", "-B", "-b"));
            if (i == 0) {
                cmd.add("-c");
            }
            cmd.addAll(List.of(file.toString(), namesAndPasswords[i], namesAndPasswords[i + 1]));
            run(cmd.toArray(new String[0]));
        }
        return file;
    }

    /** {@code openssl req -x509}: a self-signed RSA certificate for 127.0.0.1 and its PKCS#8 key. */
    static void certificate(Path cert, Path key) throws Exception {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
    }

    /** A client's TLS context that trusts {@code cert} only. */
    static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        return client;
    }
}
