package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * FileInstall in the assembled runtime: a sink bundle dropped into deploy/ goes live (its sink,
 * configured by a file in conf/, attaches and writes), and detaches cleanly when the jar is
 * removed, while another sink on the same device keeps receiving frames.
 */
class DeployIT {
    static final Duration WAIT = TestRuntime.WAIT;
    static final String SPEC = "sim:mbochs?mode=320x240&mmap=allow";

    @TempDir
    Path work;

    @Test
    void aSinkBundleDroppedIntoDeployGoesLiveAndDetachesCleanlyWhenRemoved() throws Exception {
        Path conf = Files.createDirectories(work.resolve("conf"));
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path shots = Files.createDirectories(work.resolve("shots"));
        String cfg = "device = desk\npath = " + shots + "\nsink.name = dropped\nmax.fps = 10\n";
        Path cfgFile = conf.resolve("io.github.scanout.sink.file-dropped.cfg");
        Files.writeString(cfgFile, cfg, StandardCharsets.ISO_8859_1);

        try (TestRuntime rt = TestRuntime.start(work, n -> !n.equals("scanout-plugin-sink-file.jar"),
                List.of(conf, deploy), 100)) {
            assertThat(rt.fw.bundle("io.github.scanout.plugin-sink-file")).isNull();
            TestSink steady = rt.sink("desk", "steady", 0);
            String pid = rt.device("desk", SPEC);
            steady.awaitFrames(10, WAIT);
            rt.awaitState(pid, "RUNNING");
            assertThat(rt.cm.exists("io.github.scanout.sink.file~dropped")).as("conf/ was read").isTrue();
            Thread.sleep(300); // a few FileInstall polls: nothing to attach without the bundle
            assertThat(rt.stats(pid).orElseThrow().sink("dropped")).isEmpty();
            Set<String> threads = TestRuntime.scanoutThreads();

            // drop the file sink bundle in: its sink goes live and writes
            Path jar = deploy.resolve("scanout-plugin-sink-file.jar");
            Files.copy(TestRuntime.dist().resolve("bundles/scanout-plugin-sink-file.jar"), jar);
            TestRuntime.await("the dropped bundle active", WAIT, () -> active(rt, "io.github.scanout.plugin-sink-file"));
            TestRuntime.await("its sink attached", WAIT, () -> attached(rt, pid, "dropped"));
            TestRuntime.await("its sink writing", WAIT, () -> pngs(shots) >= 2);
            assertThat(TestRuntime.scanoutThreads()).contains("scanout-sink-dropped");

            // remove it: the sink detaches, the bundle is uninstalled, nothing is left behind
            long steadyBefore = steady.lastSequence();
            Files.delete(jar);
            TestRuntime.await("the bundle uninstalled", WAIT, () -> rt.fw.bundle("io.github.scanout.plugin-sink-file") == null);
            TestRuntime.await("its sink detached", WAIT, () -> !attached(rt, pid, "dropped"));
            TestRuntime.await("threads back to " + threads + " (now " + TestRuntime.scanoutThreads() + ")", WAIT,
                    () -> TestRuntime.scanoutThreads().equals(threads));
            try (Stream<Path> files = Files.list(shots)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
            TestRuntime.await("the steady sink goes on", WAIT, () -> steady.lastSequence() > steadyBefore + 10);
            assertThat(steady.detached()).isZero();
            assertThat(steady.problems()).isEmpty();
            assertThat(Files.readString(cfgFile, StandardCharsets.ISO_8859_1)).as("conf/ is never written").isEqualTo(cfg);

            rt.cm.delete(pid);
            TestRuntime.await("no lease left", WAIT, () -> leases(rt) == 0);
            steady.unregister();
        }
        TestRuntime.awaitNoScanoutThreads(WAIT);
    }

    @Test
    void bundlesThatCannotStartStayInstalledButInactiveTheOthersRunOnAndRemovingThemUninstallsThem() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        try (TestRuntime rt = TestRuntime.start(work, n -> true, List.of(deploy), 100)) {
            TestSink steady = rt.sink("desk", "steady", 0);
            String pid = rt.device("desk", SPEC);
            steady.awaitFrames(10, WAIT);
            rt.awaitState(pid, "RUNNING");
            Set<String> threads = TestRuntime.scanoutThreads();

            Path boom = BrokenBundles.throwingActivator(deploy.resolve("boom.jar"));
            Path unresolved = BrokenBundles.unresolvedImport(deploy.resolve("unresolved.jar"));
            TestRuntime.await("both installed", WAIT, () -> rt.fw.bundle(BrokenBundles.THROWING_BSN) != null
                    && rt.fw.bundle(BrokenBundles.UNRESOLVED_BSN) != null);
            TestRuntime.await("the throwing one resolved (its start was tried)", WAIT,
                    () -> rt.fw.bundle(BrokenBundles.THROWING_BSN).getState() == Bundle.RESOLVED);
            long before = steady.lastSequence();
            TestRuntime.await("the steady sink goes on", WAIT, () -> steady.lastSequence() > before + 10);
            assertThat(rt.fw.bundle(BrokenBundles.UNRESOLVED_BSN).getState()).isEqualTo(Bundle.INSTALLED);
            assertThat(rt.fw.bundle(BrokenBundles.THROWING_BSN).getState()).isEqualTo(Bundle.RESOLVED);
            assertThat(rt.stats(pid).orElseThrow().state()).isEqualTo("RUNNING");

            Files.delete(boom);
            Files.delete(unresolved);
            TestRuntime.await("both uninstalled", WAIT, () -> rt.fw.bundle(BrokenBundles.THROWING_BSN) == null
                    && rt.fw.bundle(BrokenBundles.UNRESOLVED_BSN) == null);
            long after = steady.lastSequence();
            TestRuntime.await("the steady sink goes on", WAIT, () -> steady.lastSequence() > after + 10);
            assertThat(TestRuntime.scanoutThreads()).isEqualTo(threads);
            assertThat(steady.detached()).isZero();
            assertThat(steady.problems()).isEmpty();

            rt.cm.delete(pid);
            TestRuntime.await("no lease left", WAIT, () -> leases(rt) == 0);
            steady.unregister();
        }
        TestRuntime.awaitNoScanoutThreads(WAIT);
    }

    private static boolean active(TestRuntime rt, String bsn) {
        Bundle b = rt.fw.bundle(bsn);
        return b != null && b.getState() == Bundle.ACTIVE;
    }

    private static boolean attached(TestRuntime rt, String pid, String sink) {
        return rt.stats(pid).map(s -> s.sink(sink).isPresent()).orElse(false);
    }

    private static long pngs(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png")).count();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long leases(TestRuntime rt) {
        try {
            return rt.leases();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
