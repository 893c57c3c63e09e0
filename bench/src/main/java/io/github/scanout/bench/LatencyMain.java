package io.github.scanout.bench;

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
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Glass-to-sink latency: how long after a simulated guest finished writing a change into its
 * framebuffer a sink that a person watches (it declares {@code SinkNeeds.lowLatency}, asks for CPU
 * pixels at 60 fps and reads the live view, as the GL window does) has the change in hand.
 *
 * <p>The guest ({@link RegionDevice#fill}, the sim's mdpy model behind the VFIO marshalling, the
 * framebuffer a real shared mapping read by the real region plane source through core's
 * {@link Pipeline}, polling at 60 Hz) writes stamps: stamp {@code k} is a rectangle in a colour
 * that encodes {@code k}, written at random times. It publishes where stamp {@code k} is before
 * writing it and records when it finished writing (its last pixel). The sink, in
 * {@code frame()}, looks at the last pixel of every stamp it has not seen yet and records when it
 * first finds it there. A stamp's latency is that time minus the guest's; a stamp the sink never
 * sees (overwritten before any frame showed it) counts as infinitely late, so it shows in the
 * p99 and max rather than vanishing. Each distinct stamp counts once.
 *
 * <p>Cases (1080p unless named): {@code full} (the whole frame, at random gaps of 20 to 50 ms),
 * {@code small} (an 8 x 16 block, a character, at a random position), {@code thin} (one row of 16
 * pixels, at a random position), these two at random gaps of 17 to 34 ms (so every stamp stays on
 * a 60 Hz glass for at least one refresh). A full-frame write is often caught half done by a
 * poll, so it usually costs two of the sink's 60 frames a second: at more than about 30
 * full-frame changes a second the frame credit runs out and a stamp can be overwritten before
 * any frame shows it (3 of 150 at gaps of 17 to 34 ms here), hence the longer gaps.
 * {@code after_idle}: an 8 x 16 block after 5 s of a still screen. {@code full_4k}: the whole
 * 3840 x 2160 frame at gaps of 45 to 75 ms, only its p99 reported.
 *
 * <p>Prints {@code VALUE latency_<case>_p50_ms}, {@code _p99_ms}, {@code _max_ms} (and
 * {@code latency_full_4k_p99_ms}), then the CPU the pipeline's own threads ({@code scanout-capture-*}
 * and {@code scanout-sink-*}, measured per thread with {@code ThreadMXBean}, so not the guest's or
 * this class's) used as a share of one core: {@code capture_cpu_percent_1080p60_still} over the
 * still seconds of {@code after_idle} (from 1 s after a change was seen to the next change) and
 * {@code _changing} over the whole {@code full} case.
 *
 * <p>Arguments: none; system properties {@code latency.samples} (500), {@code latency.idleSamples}
 * (20), {@code latency.samples4k} (100), {@code latency.idleSeconds} (5).
 */
public final class LatencyMain {
    private LatencyMain() {}

    static final int BLACK = 0xff000000;

    /** The colour of stamp {@code k}: red at least 0x80, so never the black background; unique below 2^23. */
    static int color(int k) {
        return 0xff800000 | (k & 0x7fffff);
    }

    /** A sink like the GL window: CPU pixels, live view, 60 fps, low latency. Decodes stamps. */
    static final class StampSink implements FrameSink {
        final Stamps stamps;
        volatile long frames;

        StampSink(Stamps stamps) {
            this.stamps = stamps;
        }

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(true, false, Set.of(), 60, true);
        }

        @Override
        public void frame(Frame frame) {
            long now = System.nanoTime();
            ByteBuffer px = frame.primary().pixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int stride = frame.primary().info().stride();
            stamps.look(px, stride, now);
            frames++;
        }
    }

    /** What the guest wrote and when, and when the sink first saw each. */
    static final class Stamps {
        final int[] x;
        final int[] y;
        final long[] written;
        final long[] seen;
        /** Stamps whose position is published (the guest may be writing the last one). */
        volatile int published;
        /** The sink's first stamp not seen yet. */
        private int open;
        /** Counts the sink's looks; read before {@link #seen} from another thread (happens-before). */
        volatile long looks;

        Stamps(int n) {
            x = new int[n];
            y = new int[n];
            written = new long[n];
            seen = new long[n];
        }

        /** On the sink's thread: records every published stamp now visible at its last pixel. */
        void look(ByteBuffer px, int stride, long now) {
            int n = published;
            for (int k = open; k < n; k++) {
                if (seen[k] == 0 && (px.getInt(y[k] * stride + x[k] * 4) & 0xffffff) == (color(k) & 0xffffff)) {
                    seen[k] = now;
                }
            }
            while (open < n && seen[open] != 0) {
                open++;
            }
            // a stamp overwritten before it was seen stays open; do not look back further than 64
            open = Math.max(open, n - 64);
            looks++;
        }

        /** Latencies in ms, one per stamp from {@code from}; never seen is +Infinity. */
        double[] latenciesMs(int from, int to) {
            double[] l = new double[to - from];
            for (int k = from; k < to; k++) {
                l[k - from] = seen[k] == 0 ? Double.POSITIVE_INFINITY : Math.max(0, seen[k] - written[k]) / 1e6;
            }
            return l;
        }
    }

    /** One device, pipeline and sink. */
    static final class Rig implements AutoCloseable {
        final RegionDevice device;
        final Pipeline pipeline;
        final StampSink sink;
        final SinkHandle handle;
        final int width;
        final int height;

        Rig(String name, int width, int height, Stamps stamps) throws Exception {
            this.width = width;
            this.height = height;
            device = new RegionDevice(name, width, height);
            device.fill(0, 0, width, height, BLACK);
            pipeline = Pipeline.builder("latency").device(new Devices().open(device))
                    .sources(List.of(RegionSources.create()))
                    .options(PipelineOptions.defaults().withMaxRate(60)).build();
            sink = new StampSink(stamps);
            handle = pipeline.attach(sink, "window");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sink.frames == 0 || pipeline.state() != PipelineState.RUNNING) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("no first frame in 30 s: " + pipeline.stats());
                }
                Thread.sleep(10);
            }
        }

        /** Writes stamp {@code k}: a rectangle; its last pixel (bottom right) is where the sink looks. */
        void stamp(Stamps s, int k, int rx, int ry, int rw, int rh) {
            s.x[k] = rx + rw - 1;
            s.y[k] = ry + rh - 1;
            s.published = k + 1;
            device.fill(rx, ry, rw, rh, color(k));
            s.written[k] = System.nanoTime();
        }

        @Override
        public void close() {
            handle.close();
            pipeline.close();
        }
    }

    /** CPU nanoseconds used so far by the live pipeline threads of this JVM. */
    static long pipelineCpuNanos() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("scanout-capture-") || n.startsWith("scanout-sink-")) {
                long c = mx.getThreadCpuTime(t.getId());
                if (c > 0) {
                    sum += c;
                }
            }
        }
        return sum;
    }

    static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, b.getCollectionTime());
        }
        return sum;
    }

    static final List<String> FIGURES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int samples = Integer.getInteger("latency.samples", 500);
        int idleSamples = Integer.getInteger("latency.idleSamples", 20);
        int samples4k = Integer.getInteger("latency.samples4k", 100);
        int idleSeconds = Integer.getInteger("latency.idleSeconds", 5);
        Random random = new Random(15);

        // full, with the CPU of a changing screen
        double changingCpu;
        {
            Stamps s = new Stamps(samples + 20);
            try (Rig rig = new Rig("sim:mdpy-1080p", 1920, 1080, s)) {
                warmUp(rig, s, random, 20);
                long cpu0 = pipelineCpuNanos();
                long t0 = System.nanoTime();
                long gc0 = gcMillis();
                for (int k = 20; k < 20 + samples; k++) {
                    gap(random, 20, 50);
                    rig.stamp(s, k, 0, 0, 1920, 1080);
                }
                Thread.sleep(500);
                changingCpu = 100.0 * (pipelineCpuNanos() - cpu0) / (System.nanoTime() - t0);
                report("full", s.latenciesMs(20, 20 + samples), rig, gcMillis() - gc0, true);
            }
        }
        blockCase("small", samples, random, 8, 16);
        blockCase("thin", samples, random, 16, 1);

        // after_idle, with the CPU of a still screen
        double stillCpu;
        {
            Stamps s = new Stamps(idleSamples + 5);
            try (Rig rig = new Rig("sim:mdpy-1080p", 1920, 1080, s)) {
                warmUp(rig, s, random, 5);
                long stillCpuNanos = 0;
                long stillWall = 0;
                long gc0 = gcMillis();
                for (int k = 5; k < 5 + idleSamples; k++) {
                    Thread.sleep(1000);
                    long cpu0 = pipelineCpuNanos();
                    long t0 = System.nanoTime();
                    Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds) - 1000 + random.nextInt(100));
                    stillCpuNanos += pipelineCpuNanos() - cpu0;
                    stillWall += System.nanoTime() - t0;
                    rig.stamp(s, k, random.nextInt(1920 - 8), random.nextInt(1080 - 16), 8, 16);
                    awaitSeen(s, k);
                }
                stillCpu = 100.0 * stillCpuNanos / stillWall;
                report("after_idle", s.latenciesMs(5, 5 + idleSamples), rig, gcMillis() - gc0, true);
            }
        }

        // full_4k: the p99
        {
            Stamps s = new Stamps(samples4k + 10);
            try (Rig rig = new Rig("sim:mdpy-4k", 3840, 2160, s)) {
                warmUp(rig, s, random, 10);
                long gc0 = gcMillis();
                for (int k = 10; k < 10 + samples4k; k++) {
                    gap(random, 45, 75);
                    rig.stamp(s, k, 0, 0, 3840, 2160);
                }
                Thread.sleep(500);
                report("full_4k", s.latenciesMs(10, 10 + samples4k), rig, gcMillis() - gc0, false);
            }
        }
        FIGURES.add(String.format(Locale.ROOT, "VALUE capture_cpu_percent_1080p60_still %.1f %%", stillCpu));
        FIGURES.add(String.format(Locale.ROOT, "VALUE capture_cpu_percent_1080p60_changing %.1f %%", changingCpu));
        FIGURES.forEach(System.out::println);
        // a case in which the sink never saw a stamp is a failed run, not a slow one
        boolean missed = FIGURES.stream().anyMatch(f -> f.contains("Infinity"));
        if (missed) {
            System.out.println("LatencyMain: some stamps never reached the sink (see above)");
            System.exit(1);
        }
    }

    private static void blockCase(String name, int samples, Random random, int w, int h) throws Exception {
        Stamps s = new Stamps(samples + 20);
        try (Rig rig = new Rig("sim:mdpy-1080p", 1920, 1080, s)) {
            warmUp(rig, s, random, 20);
            long gc0 = gcMillis();
            for (int k = 20; k < 20 + samples; k++) {
                gap(random, 17, 34);
                rig.stamp(s, k, random.nextInt(1920 - w), random.nextInt(1080 - h), w, h);
            }
            Thread.sleep(500);
            report(name, s.latenciesMs(20, 20 + samples), rig, gcMillis() - gc0, true);
        }
    }

    /** Stamps that are not counted: the JIT compiles the path first. */
    private static void warmUp(Rig rig, Stamps s, Random random, int n) throws Exception {
        for (int k = 0; k < n; k++) {
            gap(random, 17, 34);
            rig.stamp(s, k, random.nextInt(rig.width - 8), random.nextInt(rig.height - 16), 8, 16);
        }
        awaitSeen(s, n - 1);
    }

    private static void awaitSeen(Stamps s, int k) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.looks >= 0 && s.seen[k] == 0 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
    }

    private static void gap(Random random, int minMs, int maxMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(minMs) + (long) (random.nextDouble() * (maxMs - minMs) * 1e6);
        long until = System.nanoTime() + nanos;
        while (true) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void report(String name, double[] l, Rig rig, long gcMs, boolean all) {
        double[] sorted = l.clone();
        Arrays.sort(sorted);
        long never = Arrays.stream(l).filter(Double::isInfinite).count();
        int worst = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[worst]) {
                worst = i;
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "latency %s: %d stamps, %d never seen; p50 %.2f p90 %.2f p99 %.2f max %.2f ms (stamp %d of the case);"
                        + " %d ms in GC during the case; %s",
                name, l.length, never, percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                sorted[sorted.length - 1], worst, gcMs, rig.pipeline.stats()));
        double[] top = Arrays.copyOfRange(sorted, Math.max(0, sorted.length - 5), sorted.length);
        System.out.println("  five slowest (ms): " + Arrays.toString(top));
        if (all) {
            FIGURES.add(String.format(Locale.ROOT, "VALUE latency_%s_p50_ms %.1f ms", name, percentile(sorted, 50)));
        }
        FIGURES.add(String.format(Locale.ROOT, "VALUE latency_%s_p99_ms %.1f ms", name, percentile(sorted, 99)));
        if (all) {
            FIGURES.add(String.format(Locale.ROOT, "VALUE latency_%s_max_ms %.1f ms", name, sorted[sorted.length - 1]));
        }
    }
}
