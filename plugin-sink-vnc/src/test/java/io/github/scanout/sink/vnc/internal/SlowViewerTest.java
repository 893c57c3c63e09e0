package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ten viewers of one device, one of which stops reading: frames keep being taken (the sink's
 * delivery never waits for a viewer), the nine others keep getting the newest picture, and the
 * stalled one is dropped after the timeout with a line saying so. Correctness only; rates are
 * for the benchmark.
 */
class SlowViewerTest {

    @Test
    void aStalledViewerNeitherBlocksFramesNorTheOthers() throws Exception {
        int w = 1024;
        int h = 768; // a Raw update is 3 MiB, more than the socket buffers hold
        try (RealClients.Server s = new RealClients.Server(Map.of("timeout", 3600))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(w, h, 0), w, h, 1));
            TestClient stalled = TestClient.connectSmallBuffer(s.port());
            stalled.requestForever(); // asks, never reads
            Viewer stuck = awaitBlockedWriter(s);

            ExecutorService pool = Executors.newFixedThreadPool(9);
            List<TestClient> others = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                others.add(TestClient.connect(s.port(), "003.008"));
            }
            int frames = 40;
            int[] last = null;
            for (int f = 2; f <= frames; f++) {
                last = TestFrames.pattern(w, h, f);
                s.sink.frame(TestFrames.frame(last, w, h, f)); // returns while the stalled viewer is stuck
            }
            assertThat(stuck.isClosed()).as("the stalled viewer is still connected, its write blocked").isFalse();
            int[] expected = last;
            List<Future<?>> done = new ArrayList<>();
            for (TestClient c : others) {
                done.add(pool.submit(() -> {
                    c.awaitPicture(expected, w, h);
                    return null;
                }));
            }
            for (Future<?> d : done) {
                d.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            for (TestClient c : others) {
                c.close();
            }
            stalled.close();
        }
    }

    /**
     * The counting version: with one viewer stalled, each of the nine others gets every one of
     * twenty changes as its own update (none lost, none merged: they keep their rate), and the
     * sink takes every frame (capture is not slowed).
     */
    @Test
    void withOneViewerStalledTheNineOthersGetEveryChangeAndEveryFrameIsTaken() throws Exception {
        int w = 1024;
        int h = 768;
        try (RealClients.Server s = new RealClients.Server(Map.of("timeout", 3600))) {
            int[] picture = TestFrames.pattern(w, h, 0);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            TestClient stalled = TestClient.connectSmallBuffer(s.port());
            stalled.requestForever();
            Viewer stuck = awaitBlockedWriter(s);
            List<TestClient> others = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                TestClient c = TestClient.connect(s.port(), "003.008");
                c.awaitPicture(picture, w, h);
                others.add(c);
            }
            int changes = 20;
            for (int f = 0; f < changes; f++) {
                picture = picture.clone();
                int x0 = (f * 97) % (w - 8);
                int y0 = (f * 131) % (h - 16);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 8; x++) {
                        picture[(y0 + y) * w + x0 + x] = 0xff000000 | (f * 0x0a0b0c);
                    }
                }
                s.sink.frame(TestFrames.frame(picture, w, h, 2 + f)); // returns with the stalled write blocked
                for (TestClient c : others) {
                    c.request(true);
                    c.readUpdate();
                    assertThat(c.picture).as("a viewer's picture after change " + f).isEqualTo(picture);
                }
            }
            assertThat(s.sink.output().frames()).as("frames the sink took").isEqualTo(1 + changes);
            assertThat(stuck.isClosed()).isFalse();
            assertThat(stuck.updates.get()).as("updates the stalled viewer finished").isZero();
            for (Viewer v : s.sink.viewers()) {
                if (v != stuck) {
                    // the viewer counts an update once its write returned, which may be just after the
                    // client has read it: wait (generously) rather than race the writer thread
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (v.updates.get() < 1 + changes && System.nanoTime() < end) {
                        Thread.sleep(10);
                    }
                    assertThat(v.updates.get()).as("updates of " + v.peer()).isGreaterThanOrEqualTo(1 + changes);
                    assertThat(v.coalesced()).as("frames coalesced for " + v.peer()).isZero();
                }
            }
            for (TestClient c : others) {
                c.close();
            }
            stalled.close();
        }
    }

    @Test
    void aViewerThatStopsReadingIsDroppedAfterTheTimeout() throws Exception {
        int w = 1024;
        int h = 768;
        try (RealClients.Server s = new RealClients.Server(Map.of("timeout", 2))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(w, h, 0), w, h, 1));
            try (TestClient stalled = TestClient.connectSmallBuffer(s.port())) {
                stalled.requestForever();
                assertThat(s.awaitLog("read nothing for 2 s (timeout)")).contains("disconnected");
                assertThat(s.sink.viewers()).isEmpty();
            }
        }
    }

    private static Viewer awaitBlockedWriter(RealClients.Server s) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            for (Viewer v : s.sink.viewers()) {
                if (v.writingSince() != 0 && System.nanoTime() - v.writingSince() > TimeUnit.MILLISECONDS.toNanos(500)) {
                    return v;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no viewer's write blocked in 60 s");
    }
}
