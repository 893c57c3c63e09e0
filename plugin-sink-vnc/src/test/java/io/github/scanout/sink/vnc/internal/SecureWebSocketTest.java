package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code tls.cert} the WebSocket listener is {@code wss://}: the JDK's own WebSocket client
 * (java.net.http), trusting the test's self-signed certificate, opens it and receives the RFB
 * greeting as a binary message.
 */
class SecureWebSocketTest {
    @TempDir
    Path dir;

    @Test
    void theWebSocketListenerSpeaksTlsWithTheConfiguredCertificate() throws Exception {
        Path[] pem = RealClients.selfSignedCertificate(dir);
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        try (RealClients.Server s = new RealClients.Server(Map.of("websocket", "0", "tls.cert", pem[0].toString(),
                "tls.key", pem[1].toString(), "password.file", pw.toString()))) {
            s.awaitLog("WebSocket on wss://127.0.0.1:" + s.sink.websocketPort() + "/");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(pem[0])) {
                trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            CompletableFuture<String> greeting = new CompletableFuture<>();
            WebSocket ws = HttpClient.newBuilder().sslContext(tls).build().newWebSocketBuilder()
                    .subprotocols("binary")
                    .buildAsync(URI.create("wss://127.0.0.1:" + s.sink.websocketPort() + "/"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                            byte[] b = new byte[data.remaining()];
                            data.get(b);
                            greeting.complete(new String(b, StandardCharsets.US_ASCII));
                            return null;
                        }
                    }).get(120, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("binary");
            assertThat(greeting.get(120, TimeUnit.SECONDS)).isEqualTo("RFB 003.008\n");
            ws.abort();
        }
    }
}
