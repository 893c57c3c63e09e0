package io.github.scanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code startup_to_first_frame_ms}, measured from outside the launched JVM: this process starts
 * {@code bin/scanout run --device SPEC --sink file:DIR} of the distribution and polls DIR every
 * millisecond until the first {@code .png} appears (the file sink writes {@code .NAME.tmp} and
 * renames it, so a {@code .png} is a whole file), then stops the launcher (SIGTERM) and waits for
 * it. The first run is a warm-up (it dumps the class-data archive into a fresh cache directory,
 * as a user's first run does) and is reported apart; the figure is the median of the others.
 *
 * <p>Arguments: {@code DIST [RUNS [SPEC]]}; defaults 7 runs and {@code sim:mbochs}. Prints
 * {@code VALUE startup_first_run_ms}, {@code VALUE startup_to_first_frame_min_ms}/{@code _max_ms}
 * and, last, {@code VALUE startup_to_first_frame_ms <median> ms}.
 */
public final class StartupMain {
    private StartupMain() {}

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        String spec = args.length > 2 ? args[2] : "sim:mbochs";
        Path work = Files.createTempDirectory("scanout-startup-");
        try {
            Path cache = work.resolve("cache");
            double first = once(dist, cache, work.resolve("out-0"), spec);
            List<Double> times = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                times.add(once(dist, cache, work.resolve("out-" + i), spec));
            }
            List<Double> sorted = times.stream().sorted().toList();
            System.out.println("startup runs (ms): " + times);
            System.out.println(String.format(Locale.ROOT, "VALUE startup_first_run_ms %.0f ms", first));
            System.out.println(String.format(Locale.ROOT, "VALUE startup_to_first_frame_min_ms %.0f ms", sorted.get(0)));
            System.out.println(String.format(Locale.ROOT, "VALUE startup_to_first_frame_max_ms %.0f ms",
                    sorted.get(sorted.size() - 1)));
            System.out.println(String.format(Locale.ROOT, "VALUE startup_to_first_frame_ms %.0f ms",
                    sorted.get(sorted.size() / 2)));
        } finally {
            deleteTree(work);
        }
    }

    /** One launch; milliseconds from the process start to the first PNG. */
    static double once(Path dist, Path cache, Path out, String spec) throws Exception {
        Files.createDirectories(out);
        ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/scanout").toString(), "run", "--device", spec,
                "--sink", "file:" + out, "--duration", "30");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                if (hasPng(out)) {
                    return (System.nanoTime() - t0) / 1e6;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("bin/scanout exited with " + p.exitValue() + " before writing a PNG"
                            + " into " + out + "; see " + out + ".log");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no PNG in " + out + " within 30 s");
                }
                Thread.sleep(1);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean hasPng(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".png") && !n.startsWith(".");
            });
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
