package io.github.scanout.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code hotswap_to_first_frame_ms}: in a running framework (the launcher's own
 * {@link EmbeddedFramework} over the distribution's bundles, as {@code bin/scanout} runs it), one
 * simulated 1080p region device ({@code sim:mdpy-hd}, animated at 60 Hz) is captured at the default
 * 60 Hz; then, repeatedly, a file-sink factory configuration ({@code io.github.scanout.sink.file},
 * PNG) is created through ConfigAdmin and the time until its first PNG is on disk is taken (the
 * directory polled every 0.1 ms; the sink writes {@code .NAME.tmp} and renames it), then the
 * configuration is deleted. The first runs warm up and are not counted. The time includes
 * ConfigAdmin's dispatch, SCR activating the sink, core attaching it, the current frame handed
 * over at once, and the PNG encoding and write of that 1080p frame.
 *
 * <p>Arguments: {@code DIST [RUNS]}; default 15 measured runs after 5 warm-up runs. Prints
 * {@code VALUE hotswap_to_first_frame_min_ms}, {@code _max_ms}, then
 * {@code VALUE hotswap_to_first_frame_ms <median> ms} and {@code VALUE poll_period_ms}.
 * In the bench module because it uses the launcher's package-private classes.
 */
public final class HotSwapMain {
    private HotSwapMain() {}

    static final String SINK_PID = "io.github.scanout.sink.file";
    static final String SPEC = "sim:mdpy-hd";
    static final int WARMUP = 5;

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Path work = Files.createTempDirectory("scanout-hotswap-");
        Path cache = work.resolve("cache");
        Files.createDirectories(cache.resolve("jna"));
        System.setProperty("jna.tmpdir", cache.resolve("jna").toString());
        RunDirectory run = RunDirectory.create(cache);
        List<Path> jars = new ArrayList<>();
        for (Path p : Distribution.jars(dist.resolve("bundles"))) {
            if (!p.getFileName().toString().contains("fileinstall")) {
                jars.add(p);
            }
        }
        EmbeddedFramework fw = EmbeddedFramework.start(new EmbeddedFramework.Settings(run.path(), jars, List.of(), 0,
                Map.of()));
        try {
            ConfigAdminClient cm = ConfigAdminClient.of(fw.context());
            String device = cm.put(RunCommand.DEVICE_PID, "bench", Map.of("spec", SPEC, "name", "bench"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Pipelines.ofConfiguration(fw.context(), device).map(s -> s.state().equals("RUNNING")).orElse(false)) {
                if (System.nanoTime() - until > 0) {
                    throw new IllegalStateException("the pipeline of " + SPEC + " is not RUNNING after 30 s: "
                            + Pipelines.ofConfiguration(fw.context(), device));
                }
                Thread.sleep(10);
            }
            List<Double> times = new ArrayList<>();
            List<Double> attached = new ArrayList<>();
            for (int i = 0; i < WARMUP + runs; i++) {
                Path dir = work.resolve("sink-" + i);
                Files.createDirectories(dir);
                long t0 = System.nanoTime();
                String pid = cm.put(SINK_PID, "bench" + i, Map.of("device", "bench", "path", dir.toString(),
                        "format", "png"));
                double[] ms = awaitPng(fw, device, dir, t0);
                cm.delete(pid);
                if (i >= WARMUP) {
                    times.add(ms[1]);
                    attached.add(ms[0]);
                }
                Thread.sleep(50);
            }
            List<Double> sorted = times.stream().sorted().toList();
            List<Double> sortedAttach = attached.stream().sorted().toList();
            System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_sink_attached_ms %.1f ms", sortedAttach.get(sortedAttach.size() / 2)));
            System.out.println("hot-swap runs (ms): " + times.stream().map(t -> String.format(Locale.ROOT, "%.1f", t)).toList());
            System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_min_ms %.1f ms", sorted.get(0)));
            System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_max_ms %.1f ms",
                    sorted.get(sorted.size() - 1)));
            System.out.println(String.format(Locale.ROOT, "VALUE hotswap_to_first_frame_ms %.1f ms",
                    sorted.get(sorted.size() / 2)));
            System.out.println(String.format(Locale.ROOT, "VALUE poll_period_ms %.1f ms", 1000.0 / 60));
        } finally {
            fw.stop(Duration.ofSeconds(10));
            run.delete();
            deleteTree(work);
        }
        System.exit(0);
    }

    /** Waits for the first PNG; returns {ms until the pipeline lists the sink, ms until the PNG}. */
    private static double[] awaitPng(EmbeddedFramework fw, String device, Path dir, long t0) throws Exception {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        double attached = -1;
        String sinkDir = dir.toString();
        while (true) {
            if (attached < 0 && Pipelines.ofConfiguration(fw.context(), device)
                    .map(st -> st.sinks().size() > 1 || st.sinks().stream().anyMatch(k -> k.name().contains("bench")))
                    .orElse(false)) {
                attached = (System.nanoTime() - t0) / 1e6;
            }
            try (Stream<Path> s = Files.list(dir)) {
                if (s.anyMatch(f -> f.getFileName().toString().endsWith(".png")
                        && !f.getFileName().toString().startsWith("."))) {
                    double done = (System.nanoTime() - t0) / 1e6;
                    return new double[] {attached < 0 ? done : attached, done};
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no PNG in " + sinkDir + " within 30 s of creating its sink configuration");
            }
            Thread.sleep(0, 100_000);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
