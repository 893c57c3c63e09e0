package io.github.scanout.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link PngEncodeBenchmark} (with no arguments a bounded run, {@link #DEFAULTS}; any
 * arguments are JMH options and replace those defaults) and prints, last, the figures: {@code RATIO png_vs_imageio <ours / ImageIO ops/s>},
 * {@code VALUE png_encode_1080p_ms <v> ms} and {@code VALUE imageio_encode_1080p_ms <v> ms},
 * preceded by the same figures for the zlib variant.
 */
public final class BenchMain {
    private BenchMain() {}

    /** The bounded run used when no JMH options are given: about one minute in all. */
    static final String[] DEFAULTS = {"-f", "1", "-wi", "2", "-i", "3", "-w", "2s", "-r", "3s"};

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args.length == 0 ? DEFAULTS : args);
        Options options = new OptionsBuilder()
                .include(PngEncodeBenchmark.class.getName())
                .parent(cli)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        double ours = score(results, "scanout");
        double zlib = score(results, "scanoutZlib");
        double imageio = score(results, "imageio");
        System.out.println();
        // the zlib variant first: the three figures the issue asks for come last
        System.out.println(String.format(Locale.ROOT, "RATIO png_zlib_vs_imageio %.2f", zlib / imageio));
        System.out.println(String.format(Locale.ROOT, "VALUE png_zlib_encode_1080p_ms %.2f ms", 1000 / zlib));
        System.out.println(String.format(Locale.ROOT, "RATIO png_vs_imageio %.2f", ours / imageio));
        System.out.println(String.format(Locale.ROOT, "VALUE png_encode_1080p_ms %.2f ms", 1000 / ours));
        System.out.println(String.format(Locale.ROOT, "VALUE imageio_encode_1080p_ms %.2f ms", 1000 / imageio));
    }

    /** Operations per second of one benchmark method. */
    private static double score(Collection<RunResult> results, String method) {
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            if (label.endsWith("." + method)) {
                return r.getPrimaryResult().getScore();
            }
        }
        throw new IllegalStateException("no result for " + method + " (was it excluded?)");
    }
}
