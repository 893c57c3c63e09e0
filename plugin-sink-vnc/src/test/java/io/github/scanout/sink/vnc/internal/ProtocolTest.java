package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server's side of RFB with a minimal client: the handshake of each version, incremental
 * updates holding only the changed tiles, mode changes, and hostile clients being dropped with
 * one log line saying why.
 */
class ProtocolTest {

    @ParameterizedTest(name = "RFB {0}")
    @ValueSource(strings = {"003.003", "003.007", "003.008", "003.005", "003.889"})
    void everyVersionGetsThePicture(String version) throws Exception {
        int w = 130;
        int h = 70;
        int[] picture = TestFrames.pattern(w, h, 1);
        try (RealClients.Server s = new RealClients.Server(); ) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            try (TestClient c = TestClient.connect(s.port(), version)) {
                assertThat(c.width).isEqualTo(w);
                assertThat(c.name).isEqualTo("Scanout sim:test");
                c.awaitPicture(picture, w, h);
            }
            String minor = version.equals("003.007") ? "7" : version.equals("003.003") || version.equals("003.005") ? "3" : "8";
            s.awaitLog("connected (RFB 3." + minor + ", no authentication)");
        }
    }

    @Test
    void anIncrementalUpdateHoldsOnlyTheChangedTile() throws Exception {
        int w = 1920;
        int h = 1080;
        int[] picture = TestFrames.pattern(w, h, 2);
        try (RealClients.Server s = new RealClients.Server(); TestClient c = connectWhenShown(s, picture, w, h)) {
            int[] changed = picture.clone();
            for (int y = 460; y < 476; y++) {
                for (int x = 650; x < 658; x++) {
                    changed[y * w + x] = 0xff00ff00;
                }
            }
            s.sink.frame(TestFrames.frame(changed, w, h, 2));
            c.request(true);
            List<TestClient.Rect> rects = c.readUpdate();
            assertThat(rects).containsExactly(new TestClient.Rect(640, 448, 64, 64, 0));
            assertThat(c.picture).isEqualTo(changed);
        }
    }

    @Test
    void aModeChangeIsADesktopSizeThenTheNewPicture() throws Exception {
        try (RealClients.Server s = new RealClients.Server()) {
            int[] first = TestFrames.pattern(100, 80, 3);
            s.sink.frame(TestFrames.frame(first, 100, 80, 1));
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.setEncodings(0, -223);
                c.awaitPicture(first, 100, 80);
                int[] second = TestFrames.pattern(300, 200, 4);
                s.sink.frame(TestFrames.frame(second, 300, 200, 2));
                c.request(true);
                assertThat(c.readUpdate()).containsExactly(new TestClient.Rect(0, 0, 300, 200, -223));
                c.awaitPicture(second, 300, 200);
            }
            try (TestClient old = TestClient.connect(s.port(), "003.003")) {
                old.setEncodings(0); // no DesktopSize: it cannot follow a mode change
                old.request(false);
                old.readUpdate();
                s.sink.frame(TestFrames.frame(TestFrames.pattern(50, 50, 5), 50, 50, 3));
                old.request(true);
                assertThat(old.in.read()).as("connection closed").isEqualTo(-1);
                s.awaitLog("cannot follow a mode change");
            }
        }
    }

    @Test
    void theCursorIsDrawnIntoThePictureOfAViewerWithoutTheCursorEncoding() throws Exception {
        int w = 96;
        int h = 64;
        int[] picture = TestFrames.pattern(w, h, 6);
        int[] arrow = new int[8 * 8];
        for (int i = 0; i < arrow.length; i++) {
            arrow[i] = i % 9 == 0 ? 0xffff0000 : (i % 3 == 0 ? 0x80ffffff : 0);
        }
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1, TestFrames.cursor(arrow, 8, 8, 10, 20, true)));
            int[] expected = composite(picture, w, arrow, 8, 8, 10, 20);
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.awaitPicture(expected, w, h);
                // the cursor moves: the old place is repaired, the new one drawn
                s.sink.cursor(TestFrames.cursor(arrow, 8, 8, 60, 40, false));
                c.awaitPicture(composite(picture, w, arrow, 8, 8, 60, 40), w, h);
            }
        }
    }

    static int[] composite(int[] picture, int w, int[] cursor, int cw, int ch, int cx, int cy) {
        int[] out = picture.clone();
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int s = cursor[y * cw + x];
                int a = s >>> 24;
                int o = (cy + y) * w + cx + x;
                out[o] = a == 255 ? s : a == 0 ? out[o] : Screen.over(s, a, out[o]);
            }
        }
        return out;
    }

    @Test
    void aHugeEncodingListIsReadWithinItsCap() throws Exception {
        int[] picture = TestFrames.pattern(40, 30, 7);
        try (RealClients.Server s = new RealClients.Server(); TestClient c = connectWhenShown(s, picture, 40, 30)) {
            int[] many = new int[65535];
            many[0] = 0;
            java.util.Arrays.fill(many, 1, many.length, 12345);
            c.setEncodings(many);
            int[] next = TestFrames.pattern(40, 30, 8);
            s.sink.frame(TestFrames.frame(next, 40, 30, 2));
            c.awaitPicture(next, 40, 30);
        }
    }

    @Test
    void hostileClientsAreDroppedWithOneLineSayingWhy() throws Exception {
        try (RealClients.Server s = new RealClients.Server(Map.of("timeout", 2))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(40, 30, 7), 40, 30, 1));
            try (TestClient c = TestClient.raw(s.port())) {
                c.in.readFully(new byte[12]);
                c.out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(c)).isTrue();
            }
            assertThat(s.awaitLog("not an RFB 3.x client")).contains("refused").contains("'GET / HTTP/1'");
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.out.write(99);
                assertThat(readToEnd(c)).isTrue();
            }
            s.awaitLog("protocol error: unknown client message type 99");
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.out.write(new byte[] {6, 0, 0, 0});
                c.out.writeInt(Integer.MIN_VALUE);
                assertThat(readToEnd(c)).isTrue();
            }
            s.awaitLog("clipboard text of 2147483648 bytes is over the limit");
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.out.write(new byte[] {0, 0, 0, 0, 12, 8, 0, 0, 0, 7, 0, 7, 0, 3, 0, 3, 6, 0, 0, 0});
                assertThat(readToEnd(c)).isTrue();
            }
            s.awaitLog("pixel format with 12 bits per pixel");
            assertThat(s.sink.viewers()).isEmpty();
        }
    }

    @Test
    void aViewerThatStallsInTheTlsHandshakeIsDroppedAfterTheConfiguredTimeout(@TempDir Path dir) throws Exception {
        Path[] pem = RealClients.selfSignedCertificate(dir);
        try (RealClients.Server s = new RealClients.Server(Map.of("timeout", 1, "tls.cert", pem[0].toString(),
                "tls.key", pem[1].toString()))) {
            try (TestClient c = TestClient.raw(s.port())) {
                c.in.readFully(new byte[12]);
                c.out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(c.in.readUnsignedByte()).as("one security type").isEqualTo(1);
                assertThat(c.in.readUnsignedByte()).as("VeNCrypt").isEqualTo(19);
                c.out.write(19);
                assertThat(c.in.readUnsignedShort()).as("VeNCrypt 0.2").isEqualTo(0x0002);
                c.out.write(new byte[] {0, 2});
                assertThat(c.in.readUnsignedByte()).as("version accepted").isZero();
                assertThat(c.in.readUnsignedByte()).as("one subtype").isEqualTo(1);
                assertThat(c.in.readInt()).as("X509None").isEqualTo(260);
                c.out.writeInt(260);
                assertThat(c.in.readUnsignedByte()).as("subtype accepted: TLS starts").isEqualTo(1);
                // no ClientHello: the server gives up after the configured timeout, not a fixed 30 s
                assertThat(readToEnd(c)).isTrue();
            }
            assertThat(s.awaitLog("during the handshake")).contains("refused").contains("(1 s for TLS: the timeout)");
            assertThat(s.sink.viewers()).isEmpty();
        }
    }

    /** Reads until the server closes the connection; true when it did. */
    private static boolean readToEnd(TestClient c) throws IOException {
        byte[] b = new byte[65536];
        while (true) {
            if (c.in.read(b) < 0) {
                return true;
            }
        }
    }

    private static TestClient connectWhenShown(RealClients.Server s, int[] picture, int w, int h) throws Exception {
        s.sink.frame(TestFrames.frame(picture, w, h, 1));
        TestClient c = TestClient.connect(s.port(), "003.008");
        c.awaitPicture(picture, w, h);
        return c;
    }
}
