package io.github.scanout.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link GlUploadBenchmark} (with no arguments a bounded run, about a minute and a half;
 * arguments are JMH options and replace the defaults) and prints, last:
 * {@code RATIO gl_upload_vs_bare_lwjgl_1080p <Scanout fps / bare LWJGL fps>}, the same for
 * {@code _4k}, and the frames per second of each.
 */
public final class GlBenchMain {
    private GlBenchMain() {}

    static final String[] DEFAULTS = {"-f", "1", "-wi", "2", "-i", "3", "-w", "2s", "-r", "3s"};

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args.length == 0 ? DEFAULTS : args);
        Options options = new OptionsBuilder().include(GlUploadBenchmark.class.getName()).parent(cli).build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        for (String size : new String[] {"1080p", "4k"}) {
            double ours = BenchMain.score(results, "scanout", size);
            double bare = BenchMain.score(results, "bareLwjgl", size);
            System.out.println(String.format(Locale.ROOT, "VALUE gl_upload_draw_%s_fps %.1f fps", size, ours));
            System.out.println(String.format(Locale.ROOT, "VALUE bare_lwjgl_upload_draw_%s_fps %.1f fps", size, bare));
        }
        for (String size : new String[] {"1080p", "4k"}) {
            double ratio = BenchMain.score(results, "scanout", size) / BenchMain.score(results, "bareLwjgl", size);
            System.out.println(String.format(Locale.ROOT, "RATIO gl_upload_vs_bare_lwjgl_%s %.2f", size, ratio));
        }
    }
}
