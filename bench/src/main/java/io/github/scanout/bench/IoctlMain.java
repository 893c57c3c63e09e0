package io.github.scanout.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link IoctlBenchmark} with the GC profiler (bounded: {@link #DEFAULTS} unless JMH
 * options are given, about 40 s) and prints, last, {@code RATIO jna_ioctl_vs_direct}
 * (Scanout's ioctl path over the bare direct-mapped call, same run), {@code VALUE
 * jna_ioctl_alloc_bytes} (bytes allocated per call on Scanout's path) and the times.
 */
public final class IoctlMain {
    private IoctlMain() {}

    /** Short iterations: a call takes microseconds, so 2 s hold about a million calls. */
    static final String[] DEFAULTS = {"-f", "1", "-wi", "2", "-i", "3", "-w", "1s", "-r", "2s"};

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args.length == 0 ? DEFAULTS : args);
        Options options = new OptionsBuilder().include(IoctlBenchmark.class.getName()).addProfiler(GCProfiler.class)
                .parent(cli).build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        double scanout = BenchMain.score(results, "IoctlBenchmark.scanout", null);
        double heap = BenchMain.score(results, "IoctlBenchmark.scanoutHeapArg", null);
        double direct = BenchMain.score(results, "IoctlBenchmark.direct", null);
        System.out.println(String.format(Locale.ROOT, "VALUE jna_ioctl_us %.3f us", scanout / 1000));
        System.out.println(String.format(Locale.ROOT, "VALUE jna_ioctl_heap_arg_us %.3f us", heap / 1000));
        System.out.println(String.format(Locale.ROOT, "VALUE jna_ioctl_heap_arg_alloc_bytes %.0f B",
                BenchMain.secondary(results, "IoctlBenchmark.scanoutHeapArg", null, "gc.alloc.rate.norm")));
        System.out.println(String.format(Locale.ROOT, "VALUE direct_ioctl_us %.3f us", direct / 1000));
        double iface = BenchMain.score(results, "IoctlBenchmark.interfaceMapped", null);
        System.out.println(String.format(Locale.ROOT, "VALUE jna_interface_ioctl_us %.3f us", iface / 1000));
        System.out.println(String.format(Locale.ROOT, "VALUE jna_interface_ioctl_alloc_bytes %.0f B",
                BenchMain.secondary(results, "IoctlBenchmark.interfaceMapped", null, "gc.alloc.rate.norm")));
        System.out.println(String.format(Locale.ROOT, "RATIO jna_ioctl_vs_direct %.2f", scanout / direct));
        System.out.println(String.format(Locale.ROOT, "VALUE jna_ioctl_alloc_bytes %.0f B",
                BenchMain.secondary(results, "IoctlBenchmark.scanout", null, "gc.alloc.rate.norm")));
    }
}
