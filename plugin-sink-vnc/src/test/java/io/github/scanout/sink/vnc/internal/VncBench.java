package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.sim.fixture.RegionDevice;
import io.github.scanout.source.region.RegionSources;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 *   <li>{@code vnc_latency_p99_ms} (and {@code _p50_ms}, {@code _max_ms}): glass to viewer. A
 *       simulated guest ({@link RegionDevice}: the sim's mdpy model behind the VFIO marshalling,
 *       a real shared mapping) captured by core's {@link Pipeline} through the real region
 *       source at up to 60 fps, into this sink, and an RFB client on loopback (Raw, decoded).
 *       The guest writes numbered 8 x 16 stamps (a typed character) at random places and random
 *       gaps of 17 to 34 ms; the time from the guest's write to the client holding the stamp, so
 *       the capture's poll, the hand-over to the sink, the sink's conversion and tile check, the
 *       encode and the send are all in it. A stamp the client never sees counts as infinitely
 *       late. {@code vnc.latency.samples} (500) stamps;
 *   <li>{@code vnc_sink_to_viewer_p99_ms}: the sink's share alone: frames handed straight to the
 *       sink at 60 Hz, each with an 8 x 16 change carrying its number; the time from the frame
 *       handed to the sink to the client holding that change;
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
        glassToViewer();
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
        System.out.printf("vnc sink to viewer: %d of %d changes reached the client; p50 %.1f ms, p99 %.1f ms (frame "
                + "handed to the sink to the client holding it, Raw, 60 Hz; capture not included)%n", sorted.length,
                frames, p50, p99);
        System.out.printf("VALUE vnc_sink_to_viewer_p99_ms %.1f ms%n", p99);
    }

    /** The colour of stamp {@code k}: red at least 0x80, so never the black background. */
    private static int stamp(int k) {
        return 0xff800000 | (k & 0x7fffff);
    }

    /** Guest write to viewer holding it, through the capture pipeline (see the class comment). */
    private static void glassToViewer() throws Exception {
        int samples = Integer.getInteger("vnc.latency.samples", 500);
        int[] sx = new int[samples];
        int[] sy = new int[samples];
        long[] written = new long[samples];
        long[] seen = new long[samples];
        AtomicLongArray published = new AtomicLongArray(1);
        RegionDevice device = new RegionDevice("vnc-latency", W, H);
        device.fill(0, 0, W, H, 0xff000000);
        try (RealClients.Server s = quiet();
                Pipeline pipeline = Pipeline.builder("vnc-latency").device(new Devices().open(device))
                        .sources(List.of(RegionSources.create())).options(PipelineOptions.defaults().withMaxRate(60))
                        .build()) {
            FrameSink vnc = new FrameSink() {
                @Override
                public SinkNeeds needs() {
                    return s.sink.needs();
                }

                @Override
                public void frame(Frame frame) {
                    s.sink.frame(frame);
                }

                @Override
                public void cursor(CursorState cursor) {
                    s.sink.cursor(cursor);
                }
            };
            try (SinkHandle handle = pipeline.attach(vnc, "vnc")) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (s.sink.output().frames() == 0 || pipeline.state() != PipelineState.RUNNING) {
                    if (System.nanoTime() > until) {
                        throw new IllegalStateException("no first frame in 60 s: " + pipeline.stats());
                    }
                    Thread.sleep(10);
                }
                TestClient c = TestClient.connect(s.port(), "003.008");
                c.request(false);
                c.readUpdate();
                AtomicBoolean done = new AtomicBoolean();
                Thread reader = new Thread(() -> {
                    int open = 0;
                    try {
                        while (!done.get()) {
                            c.request(true);
                            c.readUpdate();
                            long now = System.nanoTime();
                            int n = (int) published.get(0);
                            for (int k = open; k < n; k++) {
                                if (seen[k] == 0 && ((c.picture[sy[k] * W + sx[k]] ^ stamp(k)) & 0xffffff) == 0) {
                                    seen[k] = now;
                                }
                            }
                            while (open < n && seen[open] != 0) {
                                open++;
                            }
                            open = Math.max(open, n - 64); // an overwritten stamp stays unseen
                        }
                    } catch (Exception e) {
                        // ends with the socket
                    }
                }, "vnc-bench-glass-reader");
                reader.start();
                Random random = new Random(17);
                for (int k = 0; k < samples; k++) {
                    Thread.sleep(17 + random.nextInt(18));
                    int x = random.nextInt(W - 8);
                    int y = random.nextInt(H - 16);
                    sx[k] = x + 7; // the stamp's last pixel: the client sees it once the whole stamp is there
                    sy[k] = y + 15;
                    published.set(0, k + 1);
                    device.fill(x, y, 8, 16, stamp(k));
                    written[k] = System.nanoTime();
                }
                Thread.sleep(500);
                done.set(true);
                c.close();
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        double[] ms = new double[samples];
        int never = 0;
        for (int k = 0; k < samples; k++) {
            ms[k] = seen[k] == 0 ? Double.POSITIVE_INFINITY : Math.max(0, seen[k] - written[k]) / 1e6;
            never += seen[k] == 0 ? 1 : 0;
        }
        Arrays.sort(ms);
        double p50 = ms[samples / 2];
        double p99 = ms[Math.min(samples - 1, (int) Math.ceil(samples * 0.99) - 1)];
        double max = ms[samples - 1];
        System.out.printf("vnc glass to viewer: %d stamps of 8x16 at 1080p, %d never seen; p50 %.1f ms, p99 %.1f ms, "
                + "max %.1f ms (guest write to an RFB client holding it: capture at up to 60 fps, sink, encode, send)%n",
                samples, never, p50, p99, max);
        System.out.printf("VALUE vnc_latency_p50_ms %.1f ms%n", p50);
        System.out.printf("VALUE vnc_latency_p99_ms %.1f ms%n", p99);
        System.out.printf("VALUE vnc_latency_max_ms %.1f ms%n", max);
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
