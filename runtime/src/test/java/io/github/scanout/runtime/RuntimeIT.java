package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The assembled runtime in Felix, in this JVM: SCR, ConfigAdmin and the real Scanout bundles from
 * the distribution. A simulated vGPU configured through ConfigAdmin feeds a test sink; sink
 * configurations are hot-swapped while frames flow; the plane-source bundle is stopped and started.
 */
class RuntimeIT {
    static final Duration WAIT = TestRuntime.WAIT;
    static final String SPEC = "sim:mbochs?mode=320x240&mmap=allow";

    @TempDir
    Path work;
    TestRuntime rt;

    @BeforeEach
    void start() throws Exception {
        rt = TestRuntime.start(work, n -> !n.contains("fileinstall"), List.of(), 1000);
    }

    @AfterEach
    void stop() throws Exception {
        if (rt != null) {
            rt.close();
            rt = null;
        }
        TestRuntime.awaitNoScanoutThreads(WAIT);
    }

    @Test
    void theRuntimeStartsAndASimulatedDeviceFeedsATestSink() throws Exception {
        for (String bsn : List.of("org.apache.felix.scr", "org.apache.felix.configadmin", "io.github.scanout.api",
                "io.github.scanout.core", "io.github.scanout.sim", "io.github.scanout.plugin-dmabuf",
                "io.github.scanout.plugin-region", "io.github.scanout.plugin-sink-file")) {
            assertThat(rt.fw.bundle(bsn)).as(bsn).isNotNull().extracting(Bundle::getState).isEqualTo(Bundle.ACTIVE);
        }
        TestSink sink = rt.sink("desk", "test", 0);
        String pid = rt.device("desk", SPEC);
        sink.awaitFrames(10, WAIT);
        Pipelines.Stats s = rt.awaitState(pid, "RUNNING");
        assertThat(s.source()).isEqualTo("dmabuf");
        assertThat(s.mode()).as("read from core's stats through the framework").isEqualTo("320x240 XR24");
        assertThat(s.sink("test")).isPresent();
        assertThat(sink.device()).isEqualTo("desk");
        List<Long> seq = sink.sequences();
        for (int i = 1; i < seq.size(); i++) {
            assertThat(seq.get(i)).as("sequences increase").isGreaterThan(seq.get(i - 1));
        }
        assertThat(sink.problems()).isEmpty();

        rt.cm.delete(pid);
        TestRuntime.await("pipeline gone", WAIT, () -> rt.stats(pid).isEmpty());
        TestRuntime.await("sink told it is detached", WAIT, () -> sink.detached() == 1);
        TestRuntime.await("leases released", WAIT, () -> leases() == 0);
        assertThat(rt.leaked()).isZero();
        sink.unregister();
    }

    @Test
    void configurationsAreKeptInMemoryNeverWrittenUnderTheRunDirectory() throws Exception {
        String marker = "marker-" + java.util.UUID.randomUUID();
        String pid = rt.cm.put("io.github.scanout.sink.file", "memory-check", Map.of("device", "nowhere",
                "path", work.resolve("never").toString(), "format", "png", "sink.name", marker));
        assertThat(rt.cm.exists(pid)).as("ConfigAdmin has it").isTrue();
        List<Path> holding = new ArrayList<>();
        try (Stream<Path> files = Files.walk(rt.runDir.path())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(marker)) {
                    holding.add(f);
                }
            }
        }
        assertThat(holding).as("files under the run directory holding the configuration").isEmpty();
        rt.cm.delete(pid);
        assertThat(rt.cm.exists(pid)).isFalse();
    }

    @Test
    void hotSwap200SinkConfigurationsWhileFramesFlowLosesNothingOfASteadySinkAndLeaksNothing() throws Exception {
        Path shots = Files.createDirectories(work.resolve("shots"));
        TestSink steady = rt.sink("desk", "steady", 0);
        steady.sleepMillis = 25; // slower than the guest's 60 frames per second: its queue must drop
        String pid = rt.device("desk", SPEC);
        steady.awaitFrames(30, WAIT);
        rt.awaitState(pid, "RUNNING");
        Set<String> threads = TestRuntime.scanoutThreads();
        int fds = TestRuntime.openFds();
        int noSignals = steady.noSignals().size();
        long capturedBefore = rt.stats(pid).orElseThrow().captured();

        int attachedSeen = 0;
        for (int i = 0; i < 200; i++) {
            String name = "swap-" + i;
            Map<String, Object> props = Map.of("device", "desk", "path", shots.toString(), "sink.name", name,
                    "name.pattern", name + "-{seq}.png");
            String sinkPid = rt.cm.put("io.github.scanout.sink.file", name, props);
            if (i % 20 == 0) {
                TestRuntime.await(name + " attached", WAIT, () -> attached(pid, name));
                attachedSeen++;
            }
            rt.cm.put("io.github.scanout.sink.file", name, Map.of("device", "desk", "path", shots.toString(),
                    "sink.name", name, "name.pattern", name + "-{seq}.png", "max.fps", "30"));
            if (i % 20 == 10) {
                TestRuntime.await(name + " attached after its update", WAIT, () -> attached(pid, name));
                attachedSeen++;
            }
            rt.cm.delete(sinkPid);
        }
        TestRuntime.await("every swapped sink detached", WAIT, () -> rt.stats(pid).orElseThrow().sinks().stream()
                .allMatch(k -> k.name().equals("steady")));
        assertThat(attachedSeen).isEqualTo(20);
        // a detached sink's thread may still be finishing a write: its temp file goes when it does
        TestRuntime.await("no temp file left", WAIT, () -> {
            try (Stream<Path> files = Files.list(shots)) {
                return files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
            } catch (java.io.IOException e) {
                return false;
            }
        });
        try (Stream<Path> files = Files.list(shots)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("swapped sinks wrote their replayed frame").hasSizeGreaterThanOrEqualTo(10);
        }

        // stop the guest drawing, let the steady sink drain, then account for every frame
        rt.animate(SPEC, false);
        Thread.sleep(300);
        TestRuntime.await("steady sink drained", WAIT, () -> rt.stats(pid).orElseThrow().sink("steady")
                .map(k -> k.delivered() == steady.frames()).orElse(false));
        Pipelines.Stats s = rt.stats(pid).orElseThrow();
        Pipelines.Sink k = s.sink("steady").orElseThrow();
        List<Long> seq = steady.sequences();
        long gaps = 0;
        for (int i = 1; i < seq.size(); i++) {
            assertThat(seq.get(i)).as("in order, no duplicates").isGreaterThan(seq.get(i - 1));
            gaps += seq.get(i) - seq.get(i - 1) - 1;
        }
        assertThat(gaps).as("frames the steady sink missed are exactly those its queue dropped").isEqualTo(k.dropped());
        assertThat(k.dropped()).as("the slow sink's queue did drop (the accounting was exercised)").isPositive();
        assertThat(s.captured() - capturedBefore).as("frames flowed during the swaps").isGreaterThan(20);
        assertThat(steady.noSignals()).as("the steady sink never lost the signal").hasSize(noSignals);
        assertThat(steady.detached()).isZero();
        assertThat(steady.problems()).isEmpty();
        assertThat(k.errors()).isZero();

        TestRuntime.await("threads back to " + threads + " (now " + TestRuntime.scanoutThreads() + ")", WAIT,
                () -> TestRuntime.scanoutThreads().equals(threads));
        // no more than before (not "as many": the tests before this one in the same JVM leave child
        // processes' pipes that the JDK closes when it collects them, which may happen meanwhile)
        TestRuntime.await("fds back to " + fds + " or fewer (now " + openFds() + ")", WAIT, () -> openFds() <= fds);

        rt.cm.delete(pid);
        TestRuntime.await("pipeline gone", WAIT, () -> rt.stats(pid).isEmpty());
        TestRuntime.await("no lease left (" + leases() + ")", WAIT, () -> leases() == 0);
        assertThat(rt.leaked()).isZero();
        steady.unregister();
    }

    @Test
    void stoppingAndStartingThePlaneSourceBundleReprobesAndContinues() throws Exception {
        TestSink sink = rt.sink("desk", "test", 0);
        // a stall timeout far beyond any wait here: a stop that waited for it could not pass
        String pid = rt.device("desk", SPEC, Map.of("stall.timeout.ms", "600000"));
        sink.awaitFrames(5, WAIT);
        rt.awaitState(pid, "RUNNING");
        Bundle dmabuf = rt.fw.bundle("io.github.scanout.plugin-dmabuf");
        int notices = sink.noSignals().size(); // mbochs's first query of a mode answers ENOMEM: maybe one

        long t0 = System.nanoTime();
        dmabuf.stop();
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        Pipelines.Stats s = rt.awaitState(pid, "NO_SOURCE");
        assertThat(s.source()).isEmpty();
        TestRuntime.await("the sink is told why nothing comes", WAIT, () -> sink.noSignals().size() > notices);
        assertThat(sink.noSignals().get(sink.noSignals().size() - 1)).startsWith("no plane source can read " + SPEC);
        long before = sink.lastSequence();
        assertThat(stopMillis).as("stopping the plane source bundle does not wait for the stall timeout (600 s)")
                .isLessThan(WAIT.toMillis());

        dmabuf.start();
        rt.awaitState(pid, "RUNNING");
        TestRuntime.await("frames again", WAIT, () -> sink.lastSequence() > before + 5);
        assertThat(rt.stats(pid).orElseThrow().source()).isEqualTo("dmabuf");
        assertThat(sink.problems()).isEmpty();
        assertThat(sink.detached()).isZero();

        rt.cm.delete(pid);
        TestRuntime.await("no lease left", WAIT, () -> leases() == 0);
        sink.unregister();
    }

    @Test
    void theGogoCommandsAttachSnapshotAndDetach() throws Exception {
        Path shots = Files.createDirectories(work.resolve("shots"));
        String pid = rt.device("desk", SPEC);
        rt.awaitState(pid, "RUNNING");
        Object commands = rt.commands();

        String attached = (String) TestRuntime.invoke(commands, "attach",
                new Class<?>[] {String.class, String.class, String[].class}, "file", "desk",
                new String[] {"path=" + shots, "name.pattern=gogo-{seq}.png"});
        assertThat(attached).isEqualTo("attached file-1 to desk (configuration io.github.scanout.sink.file~file-1)");
        TestRuntime.await("a PNG from the attached sink", WAIT, () -> list(shots).stream().anyMatch(n -> n.startsWith("gogo-")));
        assertThat((String) TestRuntime.invoke(commands, "sinks", new Class<?>[0])).contains("desk", "file-1");
        assertThat((String) TestRuntime.invoke(commands, "stats", new Class<?>[] {String.class}, "desk"))
                .startsWith("desk (" + SPEC + "): RUNNING").contains("file-1: delivered");
        assertThat((String) TestRuntime.invoke(commands, "devices", new Class<?>[0])).contains("desk", "RUNNING", "dmabuf");

        Path snap = shots.resolve("snap.png");
        String wrote = (String) TestRuntime.invoke(commands, "snapshot", new Class<?>[] {String.class, String.class},
                "desk", snap.toString());
        assertThat(wrote).startsWith("wrote " + snap + " (320x240 XR24, frame ");
        BufferedImage img = ImageIO.read(snap.toFile());
        assertThat(img.getWidth()).isEqualTo(320);
        assertThat(img.getHeight()).isEqualTo(240);

        assertThat((String) TestRuntime.invoke(commands, "detach", new Class<?>[] {String.class}, "file-1"))
                .isEqualTo("detached file-1 (configuration io.github.scanout.sink.file~file-1 deleted)");
        assertThat(rt.stats(pid).orElseThrow().sinks()).isEmpty();
        assertThat(rt.cm.exists("io.github.scanout.sink.file~file-1")).isFalse();
        assertThat(list(shots)).noneMatch(n -> n.endsWith(".tmp"));

        rt.cm.delete(pid);
        TestRuntime.await("no lease left", WAIT, () -> leases() == 0);
    }

    private boolean attached(String pid, String sink) {
        return rt.stats(pid).map(s -> s.sink(sink).isPresent()).orElse(false);
    }

    private long leases() {
        try {
            return rt.leases();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int openFds() {
        try {
            return TestRuntime.openFds();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.map(p -> p.getFileName().toString()).toList());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
