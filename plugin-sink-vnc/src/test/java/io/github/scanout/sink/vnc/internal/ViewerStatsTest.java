package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.api.sink.SinkOutput;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Stats per viewer over real RFB connections on loopback: each connected viewer is listed in the
 * sink's output with its own id, peer and counters, which equal what its client read; a viewer
 * that leaves is no longer listed and its bytes stay in the sink's total.
 */
class ViewerStatsTest {
    /** RFB 3.8 without authentication: version (12), security types (1 + 1), result (4), ServerInit of "Scanout sim:test" (24 + 16). */
    private static final long HANDSHAKE_3_8 = 12 + 2 + 4 + 24 + 16;
    /** RFB 3.3: version (12), security type (4), ServerInit (40). */
    private static final long HANDSHAKE_3_3 = 12 + 4 + 24 + 16;

    @Test
    void eachViewerIsListedWithWhatItWasSentAndLeavesTheListWhenItGoes() throws Exception {
        int w = 130;
        int h = 70;
        Instant before = Instant.now();
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(w, h, 1), w, h, 1));
            assertThat(s.sink.output().clients()).isEmpty();

            TestClient raw = TestClient.connect(s.port(), "003.008");
            raw.setEncodings(0);
            raw.request(false);
            List<TestClient.Rect> rects = raw.readUpdate();
            long rawBytes = 4;
            for (TestClient.Rect r : rects) {
                assertThat(r.encoding()).isZero();
                rawBytes += 12 + (long) r.width() * r.height() * 4;
            }
            SinkClient a = await(s, c -> c.updates() == 1 && c.peer().endsWith(":" + raw.socket.getLocalPort()));
            assertThat(a.id()).isEqualTo("v1");
            assertThat(a.peer()).isEqualTo("127.0.0.1:" + raw.socket.getLocalPort());
            assertThat(a.since()).isAfterOrEqualTo(before.minusSeconds(1)).isBeforeOrEqualTo(Instant.now());
            assertThat(a.bytes()).as("every byte the client read").isEqualTo(HANDSHAKE_3_8 + rawBytes);
            assertThat(a.encodings()).containsExactlyEntriesOf(java.util.Map.of("raw", (long) rects.size()));
            assertThat(a.coalesced()).isZero();

            TestClient zrle = TestClient.connect(s.port(), "003.003");
            zrle.setEncodings(16);
            zrle.request(false);
            long zrleBytes = zrle.skipUpdate();
            SinkClient b = await(s, c -> c.updates() == 1 && c.peer().endsWith(":" + zrle.socket.getLocalPort()));
            assertThat(b.id()).isEqualTo("v2");
            assertThat(b.bytes()).isEqualTo(HANDSHAKE_3_3 + zrleBytes);
            assertThat(b.encodings()).containsOnlyKeys("zrle");
            assertThat(s.sink.output().clients()).extracting(SinkClient::id).containsExactlyInAnyOrder("v1", "v2");

            // three new pictures while the Raw viewer asks for nothing: its next update holds the
            // last one, the two before it are counted as coalesced
            for (int i = 2; i <= 4; i++) {
                s.sink.frame(TestFrames.frame(TestFrames.pattern(w, h, i), w, h, i));
            }
            raw.request(true);
            raw.readUpdate();
            assertThat(raw.picture).isEqualTo(TestFrames.pattern(w, h, 4));
            SinkClient a2 = await(s, c -> c.id().equals("v1") && c.updates() == 2);
            assertThat(a2.coalesced()).isEqualTo(2);
            assertThat(a2.since()).isEqualTo(a.since());

            // the Raw viewer leaves: it is no longer listed, what it was sent stays in the total
            SinkOutput withBoth = s.sink.output();
            long both = withBoth.clients().stream().mapToLong(SinkClient::bytes).sum();
            assertThat(withBoth.bytes()).isGreaterThanOrEqualTo(both);
            raw.close();
            awaitIds(s, "v2");
            assertThat(s.sink.output().bytes()).isGreaterThanOrEqualTo(both);

            // ids are never reused: the next viewer is v3
            try (TestClient next = TestClient.connect(s.port(), "003.008")) {
                awaitIds(s, "v2", "v3");
            }
            zrle.close();
            awaitIds(s);
            assertThat(s.sink.totals().bytes).isEqualTo(s.sink.output().bytes());
        }
    }

    /** Waits (generously) until a listed viewer matches; returns it. */
    private static SinkClient await(RealClients.Server s, Predicate<SinkClient> p) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Optional<SinkClient> c = s.sink.output().clients().stream().filter(p).findFirst();
            if (c.isPresent()) {
                return c.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no viewer as expected in 60 s: " + s.sink.output().clients());
    }

    private static void awaitIds(RealClients.Server s, String... ids) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> now = List.of();
        while (System.nanoTime() < end) {
            now = s.sink.output().clients().stream().map(SinkClient::id).sorted().toList();
            if (now.equals(List.of(ids))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("viewers listed: " + now + ", expected " + List.of(ids));
    }
}
