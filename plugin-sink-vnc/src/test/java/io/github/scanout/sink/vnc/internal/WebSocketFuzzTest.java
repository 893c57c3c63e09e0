package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fuzzes the WebSocket server ({@link WebSocket}): the HTTP Upgrade request, then frames from
 * the client read as a byte stream.
 *
 * <p>Contract: the handshake either succeeds (and then answered 101) or ends with an
 * {@link IOException} with a message (a refusal answers 4xx first); reading the stream returns
 * bytes, -1 at a close frame, or ends with an {@link IOException}; nothing else escapes, and
 * nothing is allocated in a size the client names (the request is capped, payloads streamed,
 * control frames at most 125 bytes).
 */
class WebSocketFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void upgradeAndRead(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket ws;
        try {
            ws = WebSocket.over(new ByteArrayInputStream(data), out, origin -> origin.length() % 2 == 0);
        } catch (IOException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (e instanceof WebSocket.Refused) {
                assertThat(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 4");
            }
            return;
        }
        assertThat(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
        InputStream in = ws.in();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf, 0, buf.length) >= 0) {
                // the payload, unmasked
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
