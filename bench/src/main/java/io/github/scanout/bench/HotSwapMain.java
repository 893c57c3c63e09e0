package io.github.scanout.bench;

import io.github.scanout.runtime.EmbeddedScanout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code hotswap_to_first_frame_ms}: in a running framework (the launcher's own embedded
 * framework over the distribution's bundles, as {@code bin/scanout} runs it, reached through the
 * launcher's measuring hook {@link EmbeddedScanout}), one
 * simulated 1080p region device ({@code sim:mdpy-hd}, animated at 60 Hz) is captured at the default
 * 60 Hz; then, repeatedly, a file-sink factory configuration ({@code io.github.scanout.sink.file},
 * PNG) is created through ConfigAdmin and the time until its first PNG is on disk is taken (the
 * sink writes {@code .NAME.tmp} and renames it; the rename is seen through inotify, so the
 * watching takes no CPU from the two cores the hot-swap needs), then the
 * configuration is deleted. The first runs warm up and are not counted. In every other run,
 * until the sink is attached, the pipeline's sink list is also read, every 2 ms (the attach time
 * has that resolution); that reading takes CPU from the hot-swap it watches, so the first-frame
 * figures come from the runs between, which only wait for inotify. The time includes
 * ConfigAdmin's dispatch, SCR activating the sink, core attaching it, the current frame handed
 * over at once, and the PNG encoding and write of that 1080p frame.
 *
 * <p>Arguments: {@code DIST [RUNS]}; default 15 measured runs of each kind (watched and not)
 * after 20 warm-up runs. Prints
 * {@code VALUE hotswap_to_first_frame_min_ms}, {@code _max_ms}, then
 * {@code VALUE hotswap_to_first_frame_ms <median> ms} and {@code VALUE poll_period_ms}.
 */
public final class HotSwapMain {
    private HotSwapMain() {}

    static final String SINK_PID = "io.github.scanout.sink.file";
    static final String SPEC = "sim:mdpy-hd";
    /**
     * Warm-up runs, not counted. Twenty: with five, the counted runs still fell from about 23 to
     * 14 ms on 2026-12-06 (the JIT still compiling the attach path), so the median measured
     * warm-up, not a hot-swap in a service that has been running; with ten, the first two counted
     * runs were the slowest of every run on 2026-12-07 (18 to 35 ms against about 10), and with
     * twenty they were not.
     */
    static final int WARMUP = 20;
    /**
     * How often the pipeline's sink list is read while waiting for the sink to attach: each read
     * builds the pipeline's whole stats through the framework and reflection, about 0.2 ms of CPU
     * (2026-12-06), so every 2 ms at most: the watching takes at most a tenth of a core from the
     * hot-swap it measures (every 0.5 ms it took some 40 %). The attached figure has that resolution.
     */
    static final long SINK_LOOK_NANOS = 2_000_000;

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Result r = measure(dist, WARMUP, runs);
        System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_sink_attached_ms %.1f ms", BenchMain.median(r.attached())));
        System.out.println("hot-swap runs watched for the attach (ms, not counted): " + r.watchedTimes().stream()
                .map(t -> String.format(Locale.ROOT, "%.1f", t)).toList());
        System.out.println("hot-swap runs (ms): " + r.times().stream().map(t -> String.format(Locale.ROOT, "%.1f", t)).toList());
        List<Double> sorted = r.times().stream().sorted().toList();
        System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_min_ms %.1f ms", sorted.get(0)));
        System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_max_ms %.1f ms",
                sorted.get(sorted.size() - 1)));
        System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_ms %.1f ms", BenchMain.median(r.times())));
        System.out.println(String.format(Locale.ROOT, "VALUE poll_period_ms %.1f ms", 1000.0 / 60));
        System.exit(0);
    }

    /**
     * The measured runs, in order: in the runs that watch for the attach, ms until the pipeline
     * lists the new sink ({@code attached}) and until its first PNG is on disk
     * ({@code watchedTimes}); in the others, ms until the first PNG ({@code times}).
     */
    record Result(List<Double> attached, List<Double> watchedTimes, List<Double> times) {}

    /** Starts the distribution's bundles, warms up, measures {@code runs} hot-swaps, stops. */
    static Result measure(Path dist, int warmup, int runs) throws Exception {
        Path work = Files.createTempDirectory("scanout-hotswap-");
        Path cache = work.resolve("cache");
        Files.createDirectories(cache.resolve("jna"));
        System.setProperty("jna.tmpdir", cache.resolve("jna").toString());
        try (EmbeddedScanout fw = EmbeddedScanout.start(dist, cache, name -> !name.contains("fileinstall"))) {
            String device = fw.createConfiguration(EmbeddedScanout.DEVICE_PID, "bench", Map.of("spec", SPEC, "name", "bench"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!fw.pipelineState(device).map(s -> s.equals("RUNNING")).orElse(false)) {
                if (System.nanoTime() - until > 0) {
                    throw new IllegalStateException("the pipeline of " + SPEC + " is not RUNNING after 30 s: "
                            + fw.pipelineState(device).orElse("not registered"));
                }
                Thread.sleep(10);
            }
            List<Double> times = new ArrayList<>();
            List<Double> attached = new ArrayList<>();
            List<Double> watchedTimes = new ArrayList<>();
            for (int i = 0; i < warmup + 2 * runs; i++) {
                boolean watchAttach = i % 2 == 1;
                Path dir = work.resolve("sink-" + i);
                Files.createDirectories(dir);
                double[] ms;
                String pid;
                try (WatchService watch = dir.getFileSystem().newWatchService()) {
                    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                    long t0 = System.nanoTime();
                    pid = fw.createConfiguration(SINK_PID, "bench" + i, Map.of("device", "bench", "path", dir.toString(),
                            "format", "png"));
                    ms = awaitPng(fw, device, dir, watch, t0, watchAttach);
                }
                fw.deleteConfiguration(pid);
                if (i >= warmup && watchAttach) {
                    attached.add(ms[0]);
                    watchedTimes.add(ms[1]);
                } else if (i >= warmup) {
                    times.add(ms[1]);
                }
                Thread.sleep(50);
            }
            return new Result(List.copyOf(attached), List.copyOf(watchedTimes), List.copyOf(times));
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Waits for the first PNG; returns {ms until the pipeline lists the sink (when
     * {@code watchAttach}, else NaN), ms until the PNG}. The PNG's arrival is an inotify event
     * ({@link WatchService}: the sink's rename of its temporary file), so the waiting takes no CPU
     * from the hot-swap it measures; the events name the files (the rename is a create of
     * {@code NAME.png}), and the directory is listed only when the watch overflowed.
     */
    private static double[] awaitPng(EmbeddedScanout fw, String device, Path dir, WatchService watch, long t0,
            boolean watchAttach) throws Exception {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        double attached = Double.NaN; // ms until the sink was listed, once seen
        boolean looking = watchAttach; // reading the sink list until the sink is in it
        long nextSinkLook = t0;
        while (true) {
            long now = System.nanoTime();
            if (looking && now - nextSinkLook >= 0) {
                // at most every SINK_LOOK_NANOS, and only until the sink is attached
                nextSinkLook = now + SINK_LOOK_NANOS;
                List<String> sinks = fw.pipelineSinks(device);
                if (sinks.size() > 1 || sinks.stream().anyMatch(k -> k.contains("bench"))) {
                    attached = (System.nanoTime() - t0) / 1e6;
                    looking = false;
                }
            }
            WatchKey key = watch.poll(looking ? SINK_LOOK_NANOS : TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            if (key != null) {
                long seen = System.nanoTime(); // before the events are looked at: that is not the sink's time
                boolean png = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    png |= e.kind() == StandardWatchEventKinds.OVERFLOW ? hasPng(dir) : isPng(String.valueOf(e.context()));
                }
                key.reset();
                if (png) {
                    double done = (seen - t0) / 1e6;
                    // a sink listed and done between two looks: attached no later than done
                    return new double[] {watchAttach && Double.isNaN(attached) ? done : attached, done};
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no PNG in " + dir + " within 30 s of creating its sink configuration");
            }
        }
    }

    private static boolean hasPng(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> isPng(f.getFileName().toString()));
        }
    }

    /** A finished PNG: not the sink's {@code .NAME.tmp}. */
    private static boolean isPng(String name) {
        return name.endsWith(".png") && !name.startsWith(".");
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
