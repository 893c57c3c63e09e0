package io.github.scanout.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the CPU-side JMH suites with the GC profiler ({@code -prof gc}):
 * {@link PngEncodeBenchmark}, {@link RegionCaptureBenchmark} and {@link PollBenchmark}, then the
 * unchanged poll of {@code sim:gvt} and its raw ioctls again in a JMH run of their own. With no
 * arguments it is a bounded run ({@link #DEFAULTS}, the poll pair {@link #POLL_DEFAULTS}: about
 * 3 minutes); any arguments are JMH options and replace both defaults (a benchmark regex among
 * them narrows the run, but every figure below needs its benchmarks). Prints, last, the figures:
 * <ul>
 *   <li>{@code RATIO png_vs_imageio} (and the zlib variant, and the encode times);</li>
 *   <li>{@code RATIO region_capture_vs_memcpy_1080p} and {@code _4k}: frames per second a
 *       reading sink gets from the region path over memory copies of a frame per second (same
 *       bytes per operation), and the bytes per second of each;</li>
 *   <li>{@code RATIO poll_overhead_vs_ioctl}: one poll of an unchanged {@code sim:gvt} over its
 *       two raw ioctls, and {@code VALUE poll_us};</li>
 *   <li>{@code VALUE alloc_bytes_per_frame}: what the pipeline's own threads allocate per
 *       delivered 1080p frame, less the simulator's share on them (per-thread counters, median of
 *       the last three iterations; see {@link RegionCaptureBenchmark} and {@link SimMeter});
 *       {@code alloc_bytes_per_frame_with_simulator}: the same with the simulator's share;
 *       {@code alloc_bytes_per_frame_all_threads}:
 *       {@code gc.alloc.rate.norm} of the same benchmark (every thread of the JVM).</li>
 * </ul>
 */
public final class BenchMain {
    private BenchMain() {}

    /** The bounded run used when no JMH options are given. */
    static final String[] DEFAULTS = {"-f", "1", "-wi", "2", "-i", "3", "-w", "2s", "-r", "3s"};

    /**
     * The two benchmarks of {@code poll_overhead_vs_ioctl} when no JMH options are given: three
     * forks of shorter iterations (about as long as one fork of {@link #DEFAULTS}). Both take a
     * fast or a slow state per fork and keep it (2026-12-07: the raw ioctls 157 or 225 ns, the
     * poll 270 or 390 ns, in forks of the same run), so with one fork each the ratio was whichever
     * two states came up (1.6 to 2.5 for the same code); the median over three forks is the
     * state most forks took.
     */
    static final String[] POLL_DEFAULTS = {"-f", "3", "-wi", "2", "-i", "3", "-w", "1s", "-r", "1s"};

    /** The benchmarks {@link #POLL_DEFAULTS} are for (the poll of {@code sim:gvt} only). */
    static final String POLL_PAIR = PollBenchmark.class.getName() + "\\.(poll|rawIoctls)$";

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args.length == 0 ? DEFAULTS : args);
        CommandLineOptions pollCli = new CommandLineOptions(args.length == 0 ? POLL_DEFAULTS : args);
        java.nio.file.Path allocFile = java.nio.file.Files.createTempFile("scanout-bench-alloc", ".txt");
        Options options = new OptionsBuilder()
                .jvmArgsAppend("-D" + RegionCaptureBenchmark.ALLOC_FILE + "=" + allocFile)
                .include(PngEncodeBenchmark.class.getName())
                .include(RegionCaptureBenchmark.class.getName())
                .include(PollBenchmark.class.getName())
                .exclude(PollBenchmark.class.getName() + "\\.rawIoctls$")
                .param("spec", "sim:gvt?mmap=allow") // the poll of a mapped dma-buf; sim:gvt's below
                .addProfiler(GCProfiler.class)
                .parent(cli)
                .build();
        Collection<RunResult> results = new java.util.ArrayList<>(new Runner(options).run());
        // the unchanged poll and its baseline, in forks of their own
        Options pollOptions = new OptionsBuilder()
                .include(POLL_PAIR)
                .param("spec", "sim:gvt")
                .addProfiler(GCProfiler.class)
                .parent(pollCli)
                .build();
        results.addAll(new Runner(pollOptions).run());
        System.out.println();

        double ours = score(results, "PngEncodeBenchmark.scanout", null);
        double bands = score(results, "PngEncodeBenchmark.scanoutBands", null);
        double zlib = score(results, "PngEncodeBenchmark.scanoutZlib", null);
        double imageio = score(results, "PngEncodeBenchmark.imageio", null);
        line("RATIO png_zlib_vs_imageio %.2f", zlib / imageio);
        line("VALUE png_zlib_encode_1080p_ms %.2f ms", 1000 / zlib);
        line("VALUE png_encode_1080p_ms %.2f ms", 1000 / ours);
        line("VALUE png_encode_1080p_bands_ms %.2f ms", 1000 / bands);
        line("VALUE imageio_encode_1080p_ms %.2f ms", 1000 / imageio);

        double[] regionRatio = new double[2];
        String[] sizes = {"1080p", "4k"};
        long[] frameBytes = {1920L * 1080 * 4, 3840L * 2160 * 4};
        for (int i = 0; i < 2; i++) {
            double region = score(results, "RegionCaptureBenchmark.region", sizes[i]);
            double copy = score(results, "RegionCaptureBenchmark.memcpy", sizes[i]);
            regionRatio[i] = region / copy;
            line("VALUE region_capture_" + sizes[i] + "_fps %.0f fps", region);
            line("VALUE region_capture_" + sizes[i] + "_bytes_per_s %.3g B/s", region * frameBytes[i]);
            line("VALUE memcpy_" + sizes[i] + "_bytes_per_s %.3g B/s", copy * frameBytes[i]);
            line("VALUE alloc_bytes_per_frame_" + sizes[i] + " %.0f B", secondary(results,
                    "RegionCaptureBenchmark.region", sizes[i], "gc.alloc.rate.norm"));
        }
        double poll = score(results, "PollBenchmark.poll", "sim:gvt");
        double raw = score(results, "PollBenchmark.rawIoctls", null);
        line("VALUE raw_ioctls_us %.3f us", raw / 1000);
        line("VALUE raw_ioctls_heap_arg_us %.3f us", score(results, "PollBenchmark.rawIoctlsHeap", null) / 1000);
        line("VALUE poll_session_us %.3f us", score(results, "PollBenchmark.sessionPoll", null) / 1000);
        line("VALUE poll_alloc_bytes %.0f B", secondary(results, "PollBenchmark.poll", "sim:gvt", "gc.alloc.rate.norm"));
        line("VALUE raw_ioctls_alloc_bytes %.0f B", secondary(results, "PollBenchmark.rawIoctls", null,
                "gc.alloc.rate.norm"));
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("PollBenchmark.poll")
                    && "sim:gvt?mmap=allow".equals(r.getParams().getParam("spec"))) {
                line("VALUE poll_mapped_dmabuf_us %.1f us", r.getPrimaryResult().getScore() / 1000);
            }
        }

        // the figures the issue names come last
        line("RATIO png_vs_imageio %.2f", ours / imageio);
        line("RATIO region_capture_vs_memcpy_1080p %.2f", regionRatio[0]);
        line("RATIO region_capture_vs_memcpy_4k %.2f", regionRatio[1]);
        line("RATIO poll_overhead_vs_ioctl %.2f", poll / raw);
        line("VALUE poll_us %.3f us", poll / 1000);
        line("VALUE alloc_bytes_per_frame_all_threads %.0f B", secondary(results, "RegionCaptureBenchmark.region",
                "1080p", "gc.alloc.rate.norm"));
        line("VALUE alloc_bytes_per_frame_with_simulator %.0f B", pipelineAllocPerFrame(allocFile, "1080p", 2));
        line("VALUE alloc_bytes_per_frame %.0f B", pipelineAllocPerFrame(allocFile, "1080p", 1));
        java.nio.file.Files.deleteIfExists(allocFile);
    }

    /**
     * The pipeline threads' bytes per frame at {@code size} (column 1: less the simulator's, 2: all):
     * the median over the last three iterations (the measured ones of the default run; the warm-up iterations come first).
     */
    static double pipelineAllocPerFrame(java.nio.file.Path file, String size, int column) throws java.io.IOException {
        java.util.List<Long> v = new java.util.ArrayList<>();
        for (String l : java.nio.file.Files.readAllLines(file)) {
            String[] f = l.trim().split(" ");
            if (f.length == 3 && f[0].equals(size)) {
                v.add(Long.parseLong(f[column]));
            }
        }
        if (v.isEmpty()) {
            return Double.NaN;
        }
        return median(v.subList(Math.max(0, v.size() - 3), v.size()).stream().map(Long::doubleValue).toList());
    }

    private static void line(String format, double value) {
        System.out.println(String.format(Locale.ROOT, format, value));
    }

    private static RunResult find(Collection<RunResult> results, String method, String param) {
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith("." + method)) {
                continue;
            }
            if (param == null || r.getParams().getParamsKeys().stream()
                    .anyMatch(k -> param.equals(r.getParams().getParam(k)))) {
                return r;
            }
        }
        throw new IllegalStateException("no result for " + method + (param == null ? "" : " " + param)
                + " (was it excluded?)");
    }

    /**
     * The primary score (ops/s or ns/op) of one benchmark method, at a parameter value if given:
     * the median of its measured iterations (over all forks), not JMH's mean. On a shared 2-core
     * machine one iteration disturbed by another process moved the mean of three by a third or
     * more (2026-12-07: region capture at 4K 425 +- 1228 ops/s, the poll 437 +- 747 ns, against
     * 608 ops/s and 355 ns in the run before), and the ratios with it; the median of the three
     * is the undisturbed middle one. JMH's table above the figures still shows the mean and its
     * error bar.
     */
    static double score(Collection<RunResult> results, String method, String param) {
        java.util.List<Double> scores = new java.util.ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult fork : find(results, method, param).getBenchmarkResults()) {
            for (org.openjdk.jmh.results.IterationResult it : fork.getIterationResults()) {
                scores.add(it.getPrimaryResult().getScore());
            }
        }
        if (scores.isEmpty()) {
            throw new IllegalStateException("no measured iteration of " + method);
        }
        return median(scores);
    }

    /** The median of {@code values} (the mean of the middle two for an even count); not empty. */
    static double median(java.util.List<Double> values) {
        java.util.List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double secondary(Collection<RunResult> results, String method, String param, String name) {
        Result<?> r = find(results, method, param).getSecondaryResults().get(name);
        if (r == null) {
            throw new IllegalStateException("no " + name + " for " + method + ": run with -prof gc");
        }
        return r.getScore();
    }
}
