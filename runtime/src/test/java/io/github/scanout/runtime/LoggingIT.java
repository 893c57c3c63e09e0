package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution logs through the OSGi Log service: a record appears only when its
 * logger's level says so: the default (warn), {@code --log-level}, or a per-logger level in
 * {@code conf/org.osgi.service.log.admin.cfg} (the Log service's root LoggerContext, read by its
 * LoggerAdmin from ConfigAdmin). The debug records used are SCR's for one component (SCR logs to
 * the Log service under the component's class name) and the Log service's own bundle events; the
 * info records, the pipeline's.
 */
class LoggingIT {
    @TempDir
    static Path home;
    @TempDir
    Path dir;

    @BeforeAll
    static void copy() throws Exception {
        LauncherIT.copyTree(TestRuntime.dist(), home.resolve("dist"));
    }

    LauncherIT.Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("dist/bin/scanout").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("SCANOUT_LOG");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        return r.await();
    }

    static final String[] RUN = {"run", "--device", "sim:mdpy-vga", "--sink", "file:shots", "--frames", "2", "--control",
        "ctl.sock"};

    private LauncherIT.Result runWith(String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of(RUN));
        a.addAll(List.of(extra));
        return run(a.toArray(String[]::new));
    }

    @Test
    void aDebugRecordAppearsOnlyWhenItsLoggersLevelSaysSo() throws Exception {
        Path cfg = home.resolve("dist/conf/org.osgi.service.log.admin.cfg");
        try {
            // the default level: warnings and errors only
            LauncherIT.Result quiet = runWith();
            assertThat(quiet.code()).as(quiet.toString()).isZero();
            assertThat(quiet.err()).doesNotContain(" INFO ").doesNotContain(" FINE ");

            // one logger at debug in conf/ (the file sink component's, which SCR logs under): its
            // debug records appear, every other logger stays at warn
            Files.writeString(cfg, "# per-logger levels\n" + FILE_SINK + " = DEBUG\n");
            LauncherIT.Result one = runWith();
            assertThat(one.code()).as(one.toString()).isZero();
            List<String> debug = one.errLines().stream().filter(l -> l.contains(" FINE ")).toList();
            assertThat(debug).as(one.err()).isNotEmpty().allSatisfy(l -> assertThat(l)
                    .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} FINE scr: bundle io\\.github\\.scanout\\.plugin-sink-file:\\S+ \\(\\d+\\)\\["
                            + FILE_SINK.replace(".", "\\.") + "\\] : .*"));
            assertThat(one.err()).doesNotContain("Events.");
            Files.delete(cfg);

            // --log-level info: every logger's info records (which plane source the device reads
            // through), no debug records (the Log service's bundle and service events are debug)
            LauncherIT.Result info = runWith("--log-level", "info");
            assertThat(info.code()).as(info.toString()).isZero();
            assertThat(info.err()).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO io\\.github\\.scanout\\.pipeline: device"
                    + " 'sim:mdpy-vga' \\(configuration io\\.github\\.scanout\\.device~cli\\): reading region planes")
                    .doesNotContain(" FINE ").doesNotContain("Events.");

            // the bundle events at debug in conf/: they appear (the stop's at least: the first
            // bundles start before FileInstall has read the file), the service events do not
            Files.writeString(cfg, "Events.Bundle = DEBUG\n");
            LauncherIT.Result events = runWith();
            assertThat(events.code()).as(events.toString()).isZero();
            assertThat(events.err()).contains(" FINE Events.Bundle.io.github.scanout.core: BundleEvent STOPPED")
                    .doesNotContain("Events.Service").doesNotContain(" INFO ");
        } finally {
            Files.deleteIfExists(cfg);
        }
    }

    static final String FILE_SINK = "io.github.scanout.sink.file.internal.FileSinkComponent";

    @Test
    void anUnknownLevelIsRefusedBeforeAnythingStarts() throws Exception {
        LauncherIT.Result r = run("run", "--device", "sim:mdpy-vga", "--log-level", "loud");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("scanout: --log-level 'loud' is not a level; expected error, warn, info,"
                + " debug, trace or off (see scanout --help)");
    }
}
