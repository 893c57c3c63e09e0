package io.github.scanout.sink.vnc.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The VNC sink's benchmark figures for {@code bench/run} (its own block): a {@link VncSink}
 * on loopback fed 1080p frames, and RFB clients ({@link TestClient}) on real sockets.
 *
 * <ul>
 *   <li>{@code vnc_bytes_per_small_change}: bytes of the update for an 8 x 16 change on a 1920 x
 *       1080 desktop, with ZRLE and with Tight/JPEG (the smaller is the figure; both printed);
 *   <li>{@code vnc_bytes_full_frame_raw}: bytes of a full 1080p Raw update;
 *   <li>{@code vnc_latency_p99_ms}: frames at 60 Hz, each with an 8 x 16 change carrying its
 *       number; the time from the frame handed to the sink to the client holding that change
 *       (Raw, decoded), 99th percentile. Capture's poll period is not in it;
 *   <li>{@code vnc_viewers_1080p_30fps}: the most viewers (1, 2, 4, 8 ...) of which every one
 *       gets at least 27 updates a second while a 1080p desktop changes a quarter of its tiles
 *       30 times a second, Tight with JPEG at quality level 6.
 * </ul>
 *
 * <p>Run: {@code java -cp <test class path> io.github.scanout.sink.vnc.internal.VncBench}.
 */
public final class VncBench {
    private static final int W = 1920;
    private static final int H = 1080;

    private VncBench() {}

    public static void main(String[] args) throws Exception {
        bytes();
        latency();
        viewers();
        System.exit(0);
    }

    private static void bytes() throws Exception {
        int[] picture = TestFrames.desktop(W, H);
        try (RealClients.Server s = quiet()) {
            s.sink.frame(TestFrames.frame(picture, W, H, 1));
            long raw;
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.request(false);
                raw = c.skipUpdate();
            }
            long[] small = new long[2];
            int[][] encodings = {{ViewerState.ZRLE}, {ViewerState.TIGHT, ViewerState.QUALITY_0 + 6}};
            long seq = 2;
            for (int e = 0; e < 2; e++) {
                try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                    c.setEncodings(encodings[e]);
                    c.request(false);
                    c.skipUpdate();
                    int[] next = picture.clone();
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 8; x++) {
                            next[(500 + y) * W + 900 + x] = 0xffff0000 + e;
                        }
                    }
                    picture = next;
                    s.sink.frame(TestFrames.frame(picture, W, H, seq++));
                    c.request(true);
                    small[e] = c.skipUpdate();
                }
            }
            System.out.println("vnc bytes: full 1080p Raw update " + raw + ", 8x16 change ZRLE " + small[0]
                    + ", Tight/JPEG q6 " + small[1]);
            System.out.println("VALUE vnc_bytes_full_frame_raw " + raw + " bytes");
            System.out.println("VALUE vnc_bytes_per_small_change " + Math.min(small[0], small[1]) + " bytes");
        }
    }

    private static void latency() throws Exception {
        int frames = 600; // 10 s at 60 Hz
        int[] picture = TestFrames.desktop(W, H);
        long[] handed = new long[frames + 1];
        long[] held = new long[frames + 1];
        for (int y = 0; y < 16; y++) {
            Arrays.fill(picture, (540 + y) * W + 960, (540 + y) * W + 968, 0xff000000); // frame 0 in the marker
        }
        try (RealClients.Server s = quiet()) {
            s.sink.frame(TestFrames.frame(picture, W, H, 0));
            TestClient c = TestClient.connect(s.port(), "003.008");
            c.request(false);
            c.readUpdate();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                try {
                    int seen = 0;
                    while (!done.get()) {
                        c.request(true);
                        c.readUpdate();
                        long now = System.nanoTime();
                        int k = c.picture[540 * W + 960] & 0xffff;
                        for (int i = seen + 1; i <= Math.min(k, frames); i++) {
                            held[i] = now;
                        }
                        seen = Math.max(seen, k);
                        if (seen >= frames) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    // ends with the socket
                }
            }, "vnc-bench-reader");
            reader.start();
            long start = System.nanoTime();
            for (int k = 1; k <= frames; k++) {
                long due = start + k * 1_000_000_000L / 60;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                    if (due - System.nanoTime() > 2_000_000) {
                        Thread.sleep(1);
                    }
                }
                int[] next = picture.clone();
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 8; x++) {
                        next[(540 + y) * W + 960 + x] = 0xff000000 | k;
                    }
                }
                picture = next;
                var frame = TestFrames.frame(picture, W, H, k); // made before the clock starts: a device hands it ready
                handed[k] = System.nanoTime();
                s.sink.frame(frame);
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
            done.set(true);
            c.close();
        }
        List<Double> ms = new ArrayList<>();
        for (int k = 1; k <= frames; k++) {
            if (held[k] != 0) {
                ms.add((held[k] - handed[k]) / 1e6);
            }
        }
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double p50 = sorted[sorted.length / 2];
        double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
        System.out.printf("vnc latency: %d of %d changes reached the client; p50 %.1f ms, p99 %.1f ms (frame handed "
                + "to the sink to the client holding it, Raw, 60 Hz; capture's poll period not included)%n", sorted.length,
                frames, p50, p99);
        System.out.printf("VALUE vnc_latency_p99_ms %.1f ms%n", p99);
    }

    private static void viewers() throws Exception {
        int best = 0;
        for (int n = 1; n <= 64; n *= 2) {
            double worst = rate(n);
            System.out.printf("vnc viewers: %d viewers of 1080p Tight/JPEG, slowest gets %.1f updates/s%n", n, worst);
            if (worst < 27) {
                break;
            }
            best = n;
        }
        System.out.println("VALUE vnc_viewers_1080p_30fps " + best + " viewers");
    }

    /** The slowest of {@code n} viewers' updates per second over 5 s of 30 frames a second. */
    private static double rate(int n) throws Exception {
        int[] base = TestFrames.desktop(W, H);
        try (RealClients.Server s = quiet()) {
            s.sink.frame(TestFrames.frame(base, W, H, 0));
            List<TestClient> clients = new ArrayList<>();
            AtomicLongArray counts = new AtomicLongArray(n);
            AtomicBoolean counting = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TestClient c = TestClient.connect(s.port(), "003.008");
                c.setEncodings(ViewerState.TIGHT, ViewerState.QUALITY_0 + 6);
                c.request(false);
                c.skipUpdate();
                clients.add(c);
                int id = i;
                Thread t = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            c.request(true);
                            c.skipUpdate();
                            if (counting.get()) {
                                counts.incrementAndGet(id);
                            }
                        }
                    } catch (Exception e) {
                        // ends with the socket
                    }
                }, "vnc-bench-viewer-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            int tilesX = (W + 63) / 64;
            int tilesY = (H + 63) / 64;
            long start = System.nanoTime();
            long seconds = 6;
            int[] picture = base;
            for (int k = 1; k <= 30 * seconds; k++) {
                long due = start + k * 1_000_000_000L / 30;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (k == 30) {
                    counting.set(true); // the first second warms up
                }
                int[] next = picture.clone();
                for (int t = 0; t < tilesX * tilesY; t++) {
                    if ((t + k) % 4 == 0) { // a quarter of the tiles change
                        int x = (t % tilesX) * 64 + 5;
                        int y = (t / tilesX) * 64 + 5;
                        if (x + 20 < W && y + 20 < H) {
                            for (int yy = 0; yy < 20; yy++) {
                                Arrays.fill(next, (y + yy) * W + x, (y + yy) * W + x + 20, 0xff000000 | (k * 7919 + t));
                            }
                        }
                    }
                }
                picture = next;
                s.sink.frame(TestFrames.frame(picture, W, H, k));
            }
            counting.set(false);
            double measured = (seconds - 1) - 1.0 / 30;
            stop.set(true);
            double worst = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                worst = Math.min(worst, counts.get(i) / measured);
            }
            for (TestClient c : clients) {
                c.close();
            }
            return worst;
        }
    }

    private static RealClients.Server quiet() throws Exception {
        return RealClients.Server.quiet(Map.of("max.viewers", 200, "timeout", 600));
    }
}
