package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vncsnapshot} (Debian vncsnapshot, a TightVNC-based client speaking RFB 3.3) takes the
 * picture over Tight with JPEG: what it receives is within 30 dB PSNR of the frame, the server
 * used JPEG for the smooth parts and the lossless kinds for the rest, and a higher quality level
 * gives a closer picture.
 */
class VncSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void tightJpegIsWithin30DbOfTheFrame() throws Exception {
        RealClients.require("vncsnapshot", "vncsnapshot");
        int w = 640;
        int h = 480;
        int[] picture = TestFrames.desktop(w, h);
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            double low = snapshot(s, picture, w, h, 2, "low.jpg");
            double high = snapshot(s, picture, w, h, 9, "high.jpg");
            assertThat(low).as("PSNR at quality level 2").isGreaterThanOrEqualTo(30.0);
            assertThat(high).as("PSNR at quality level 9").isGreaterThanOrEqualTo(30.0).isGreaterThan(low);
        }
    }

    private double snapshot(RealClients.Server s, int[] picture, int w, int h, int level, String name) throws Exception {
        Path jpg = dir.resolve(name);
        // -quality 100: the file vncsnapshot writes is itself a JPEG; keep its own loss small
        int rc = RealClients.run(dir, "vncsnapshot-" + name, List.of("vncsnapshot", "-encodings", "tight", "-jpeg",
                "-vncQuality", String.valueOf(level), "-quality", "100", "-nocursor", "127.0.0.1::" + s.port(),
                jpg.toString()));
        String log = Files.readString(dir.resolve("vncsnapshot-" + name + ".log"));
        assertThat(rc).as("vncsnapshot's exit status; its output: " + log).isZero();
        s.awaitLog("connected (RFB 3.3, no authentication)");
        String line = s.awaitLog("disconnected");
        s.log.clear();
        assertThat(line).as("the server's line for the connection").doesNotContain(" 0 tight jpeg")
                .containsPattern("[1-9]\\d* tight (fill|zlib)");
        BufferedImage img = ImageIO.read(jpg.toFile());
        assertThat(img).as("vncsnapshot's JPEG " + jpg).isNotNull();
        assertThat(img.getWidth()).isEqualTo(w);
        assertThat(img.getHeight()).isEqualTo(h);
        double psnr = TestFrames.psnr(picture, img.getRGB(0, 0, w, h, null, 0, w));
        System.err.printf("vncsnapshot quality level %d: PSNR %.1f dB%n", level, psnr);
        return psnr;
    }
}
