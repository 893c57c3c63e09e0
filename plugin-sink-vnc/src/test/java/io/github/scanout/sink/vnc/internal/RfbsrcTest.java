package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GStreamer's {@code rfbsrc} (a VNC client nobody here wrote; it asks for Raw) captures the
 * served picture losslessly: it equals the frame pixel for pixel, over RFB 3.3, 3.7 and 3.8,
 * with and without VNC authentication.
 */
class RfbsrcTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "RFB {0}")
    @ValueSource(strings = {"3.3", "3.8"})
    void rawCaptureEqualsTheFrame(String version) throws Exception {
        int w = 333;
        int h = 201; // not multiples of the 64-pixel tiles
        int[] picture = TestFrames.pattern(w, h, 17);
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            Path png = dir.resolve("rfbsrc.png");
            int rc = RealClients.rfbsrcSnapshot(dir, s.port(), version, null, png);
            assertThat(rc).as("rfbsrc exit status; output in " + dir).isZero();
            assertThat(RealClients.firstDifference(picture, RealClients.argb(png, w, h), w)).isNull();
            s.awaitLog("connected (RFB 3.8, no authentication)"); // rfbsrc answers 3.8 to a 3.8 server whatever it is told
            String gone = s.awaitLog("disconnected");
            // the sink's counters (scanout:stats, ctl status, metrics) hold what the viewer's line says
            var out = s.sink.output();
            assertThat(out.frames()).as("frames offered").isEqualTo(1);
            assertThat(out.bytes()).as("bytes sent: the whole Raw picture at least").isGreaterThanOrEqualTo((long) w * h * 4);
            assertThat(gone).contains(" " + out.bytes() + " bytes");
            Viewer.Counters t = s.sink.totals();
            assertThat(t.updates).isPositive();
            assertThat(t.raw).isPositive();
            assertThat(t.zrle + t.tightFill + t.tightZlib + t.tightJpeg).isZero();
        }
    }

    @Test
    void vncAuthenticationWithTheRightPasswordShowsThePicture() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret!\n");
        int w = 64;
        int h = 48;
        int[] picture = TestFrames.pattern(w, h, 3);
        try (RealClients.Server s = new RealClients.Server(Map.of("password.file", pw.toString()))) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            Path png = dir.resolve("auth.png");
            assertThat(RealClients.rfbsrcSnapshot(dir, s.port(), "3.8", "s3cret!", png)).isZero();
            assertThat(RealClients.firstDifference(picture, RealClients.argb(png, w, h), w)).isNull();
            s.awaitLog("connected (RFB 3.8, VNC authentication)");
        }
    }

    @Test
    void theWrongPasswordIsRefusedLoggedAndDelayed() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "right\n");
        try (RealClients.Server s = new RealClients.Server(Map.of("password.file", pw.toString()))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(32, 32, 1), 32, 32, 1));
            Path png = dir.resolve("wrong.png");
            int rc = RealClients.rfbsrcSnapshot(dir, s.port(), "3.8", "wrong", png);
            assertThat(rc).as("rfbsrc with a wrong password").isNotZero();
            assertThat(Files.exists(png) && Files.size(png) > 0).isFalse();
            assertThat(s.awaitLog("wrong password (failure 1 from 127.0.0.1")).contains("refused");
            assertThat(s.sink.viewers()).isEmpty();
        }
    }
}
