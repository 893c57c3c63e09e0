package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.Damage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a device says changed (QEMU's D-Bus display) decides what the sink converts and compares:
 * a viewer is sent the tiles the damage touches, and nothing outside it is looked at (so a pixel
 * that changed against the device's word is not seen). A sink that missed the frame before, or
 * a frame of unknown damage, compares the whole picture.
 */
class DamageTest {
    static final int W = 256;
    static final int H = 128;

    @Test
    void aViewerIsSentTheTilesTheDamageTouchesAndNothingOutsideIsLookedAt() throws Exception {
        int[] first = TestFrames.pattern(W, H, 1);
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(first, W, H, 1));
            TestClient c = TestClient.connect(s.port(), "003.008");
            c.setEncodings(0);
            c.request(false);
            c.readUpdate();
            assertThat(c.picture).isEqualTo(first);

            // frame 2: a character's block changed at (70, 10), which the device says; and a pixel in
            // row 100 (outside every damaged row) that it does not say
            int[] second = first.clone();
            paint(second, 70, 10, 8, 16, 0xff112233);
            second[100 * W + 200] = 0xff445566;
            s.sink.frame(TestFrames.frame(second, W, H, 2, Damage.of(70, 10, 8, 16)));
            c.request(true);
            List<TestClient.Rect> sent = c.readUpdate();
            assertThat(sent).extracting(r -> r.x() + "," + r.y() + " " + r.width() + "x" + r.height())
                    .containsExactly("64,0 64x64");
            int[] trusted = first.clone();
            paint(trusted, 70, 10, 8, 16, 0xff112233);
            assertThat(c.picture).isEqualTo(trusted);

            // frame 4, not 3: the sink did not see the frame the damage is counted from, so it compares
            // everything and the pixel in row 100 arrives
            s.sink.frame(TestFrames.frame(second, W, H, 4, Damage.NONE));
            c.request(true);
            sent = c.readUpdate();
            assertThat(sent).extracting(r -> r.x() + "," + r.y() + " " + r.width() + "x" + r.height())
                    .containsExactly("192,64 64x64");
            assertThat(c.picture).isEqualTo(second);

            // frame 5 with no damage: nothing to convert, nothing to send (the viewer's request waits)
            s.sink.frame(TestFrames.frame(second, W, H, 5, Damage.NONE));
            // frame 6, unknown damage: compared whole, a change anywhere is found
            int[] third = second.clone();
            third[(H - 1) * W] = 0xff778899;
            s.sink.frame(TestFrames.frame(third, W, H, 6, Damage.UNKNOWN));
            c.request(true);
            sent = c.readUpdate();
            assertThat(sent).extracting(r -> r.x() + "," + r.y() + " " + r.width() + "x" + r.height())
                    .containsExactly("0,64 64x64");
            assertThat(c.picture).isEqualTo(third);
        }
    }

    private static void paint(int[] px, int x, int y, int w, int h, int argb) {
        for (int row = y; row < y + h; row++) {
            for (int col = x; col < x + w; col++) {
                px[row * W + col] = argb;
            }
        }
    }
}
