package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.MbochsDevice;
import io.github.scanout.sim.fixture.SimFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The EDID blob and the resize sequence (debounce, clamp, link down, blob, link up 100 ms later). No GL. */
class EdidTest {

    /** A timer whose clock the test advances. */
    static final class ManualTimer implements EdidResizer.Timer {
        record Task(long due, Runnable run, boolean[] cancelled) {}

        long now;
        final List<Task> tasks = new ArrayList<>();

        @Override
        public Runnable schedule(Runnable task, long delayMs) {
            boolean[] cancelled = {false};
            tasks.add(new Task(now + delayMs, task, cancelled));
            return () -> cancelled[0] = true;
        }

        void advance(long ms) {
            long until = now + ms;
            while (true) {
                Task next = tasks.stream().filter(t -> t.due() <= until && !t.cancelled()[0])
                        .min((a, b) -> Long.compare(a.due(), b.due())).orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
                now = next.due();
                next.run().run();
            }
            now = until;
        }

        @Override
        public void close() {}
    }

    /** Records the calls, with the time they came at. */
    static final class RecordingEdid implements EdidRegion {
        final ManualTimer clock;
        final List<String> calls = new ArrayList<>();
        final int maxX;
        final int maxY;
        byte[] blob = new byte[0];
        boolean up = true;

        RecordingEdid(ManualTimer clock, int maxX, int maxY) {
            this.clock = clock;
            this.maxX = maxX;
            this.maxY = maxY;
        }

        @Override
        public RegionInfo region() {
            return null;
        }

        @Override
        public int maxSize() {
            return 512;
        }

        @Override
        public int maxXres() {
            return maxX;
        }

        @Override
        public int maxYres() {
            return maxY;
        }

        @Override
        public boolean linkUp() {
            return up;
        }

        @Override
        public void setLinkUp(boolean linkUp) {
            up = linkUp;
            calls.add(clock.now + ": link " + (linkUp ? "up" : "down"));
        }

        @Override
        public byte[] read() {
            return blob.clone();
        }

        @Override
        public void write(byte[] b) {
            blob = b.clone();
            int[] m = EdidBlob.preferredMode(b);
            calls.add(clock.now + ": blob " + m[0] + "x" + m[1]);
        }
    }

    private static ConditionLog quiet() {
        return ConditionLog.once((l, m) -> { });
    }

    @Test
    void blobIsAValidEdidWhosePreferredModeIsTheRequestedSize() {
        for (int[] size : new int[][] {{1024, 768}, {1920, 1080}, {3840, 2160}, {1366, 771}, {4095, 4095}}) {
            byte[] b = EdidBlob.build(size[0], size[1]);
            assertThat(b).hasSize(128);
            assertThat(SimFixture.edidValid(b)).as("header, version and checksum as the kernel checks them").isTrue();
            assertThat(EdidBlob.preferredMode(b)).containsExactly(size[0], size[1]);
            int clock10k = (b[54] & 0xff) | (b[55] & 0xff) << 8;
            assertThat(clock10k).as("pixel clock").isPositive();
        }
        assertThat(EdidBlob.preferredMode(EdidBlob.build(9000, 10))).as("clamped").containsExactly(4095, 64);
    }

    @Test
    void resizesAreDebouncedThenLinkDownBlobAndLinkUpAfter100ms() {
        ManualTimer t = new ManualTimer();
        RecordingEdid edid = new RecordingEdid(t, 0, 0);
        EdidResizer r = new EdidResizer("sim:mbochs", () -> Optional.of(edid), t, quiet());
        r.request(800, 600);
        t.advance(300);
        r.request(900, 650);
        t.advance(300);
        r.request(1280, 720); // the drag ends here
        t.advance(999);
        assertThat(edid.calls).as("nothing before the window has been still for 1 s").isEmpty();
        t.advance(1);
        assertThat(edid.calls).containsExactly("1600: link down", "1600: blob 1280x720");
        t.advance(99);
        assertThat(edid.calls).hasSize(2);
        t.advance(1);
        assertThat(edid.calls).containsExactly("1600: link down", "1600: blob 1280x720", "1700: link up");
        assertThat(r.sent()).isEqualTo(1);
        r.request(1280, 720);
        t.advance(2000);
        assertThat(r.sent()).as("the same size is not sent twice").isEqualTo(1);
    }

    @Test
    void sizesAreClampedToTheDevicesMaximum() {
        ManualTimer t = new ManualTimer();
        RecordingEdid edid = new RecordingEdid(t, 1600, 900);
        EdidResizer r = new EdidResizer("d", () -> Optional.of(edid), t, quiet());
        r.request(2560, 1440);
        t.advance(1100);
        assertThat(edid.calls).contains("1000: blob 1600x900");
        r.request(20, 2000);
        t.advance(1100);
        assertThat(edid.calls).contains("2100: blob 64x900");
    }

    @Test
    void withoutAnEdidRegionNothingHappens() {
        ManualTimer t = new ManualTimer();
        List<String> logged = new ArrayList<>();
        EdidResizer r = new EdidResizer("sim:mdpy-xga", Optional::empty, t, ConditionLog.once((l, m) -> logged.add(m)));
        r.request(800, 600);
        t.advance(1000);
        r.request(900, 600);
        t.advance(1000);
        assertThat(r.sent()).isZero();
        assertThat(logged).hasSize(1).first().asString().contains("no EDID region");
    }

    @Test
    void theSimulatedMbochsTakesTheBlobThroughItsEdidRegion() throws Exception {
        MbochsDevice mbochs = MbochsDevice.create(MbochsDevice.Type.MEDIUM);
        try (GfxDevice device = new Devices().open(mbochs)) {
            Optional<EdidRegion> region = device.edid();
            assertThat(region).as("mbochs has an EDID region").isPresent();
            ManualTimer t = new ManualTimer();
            EdidResizer r = new EdidResizer(mbochs.name(), () -> region, t, quiet());
            r.request(1600, 1000);
            t.advance(1000);
            assertThat(region.get().linkUp()).as("link down while the blob changes").isFalse();
            t.advance(100);
            assertThat(region.get().linkUp()).isTrue();
            byte[] read = region.get().read();
            int max = region.get().maxXres();
            int[] expected = EdidResizer.clamp(1600, 1000, max, region.get().maxYres());
            assertThat(EdidBlob.preferredMode(read)).containsExactly(expected);
            assertThat(SimFixture.edidValid(read)).isTrue();
        } catch (DeviceException e) {
            throw new AssertionError("mbochs EDID region: " + e.getMessage(), e);
        }
    }
}
