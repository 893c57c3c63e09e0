package io.github.scanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.SteppedPipeline;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.sim.fixture.RegionDevice;
import io.github.scanout.source.dmabuf.DmaBufSources;
import io.github.scanout.source.region.RegionSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks that the benchmarks measure what their names say (no timing is asserted): the region
 * benchmark's sink gets whole frames from the region path, and the poll benchmark's tick on an
 * unchanged device costs exactly the two plane queries of its baseline and delivers nothing, and
 * the hot-swap measurement runs against the built distribution through the launcher's hook.
 */
class BenchSmokeTest {

    @Test
    void theRegionBenchmarksSinkReadsWholeFramesFromTheRegionPath() throws Exception {
        RegionDevice device = RegionDevice.of("1080p");
        long[] touches = {0};
        ReadingSink sink = new ReadingSink(() -> device.touch(++touches[0]));
        try (Pipeline p = Pipeline.builder("smoke").device(new Devices().open(device))
                .sources(List.of(RegionSources.create()))
                .options(PipelineOptions.defaults().withMaxRate(PipelineOptions.MAX_RATE)).build();
                SinkHandle h = p.attach(sink, "reader")) {
            for (int i = 0; i < 3; i++) {
                sink.awaitNext(); // each frame the sink starts makes the next change: frames keep coming
            }
            assertThat(p.stats().source()).isEqualTo("region");
            assertThat(h.detach(java.time.Duration.ofSeconds(10))).isTrue(); // counts stop moving
            long frames = sink.frames();
            assertThat(frames).isGreaterThanOrEqualTo(3);
            assertThat(sink.bytes()).isEqualTo(frames * 1920 * 1080 * 4);
        }
    }

    @Test
    void theLatencySinkDecodesEveryStampOfEveryShapeAndOneNeverShownCountsAsInfinitelyLate() throws Exception {
        LatencyMain.Stamps s = new LatencyMain.Stamps(7);
        try (LatencyMain.Rig rig = new LatencyMain.Rig("sim:mdpy-smoke", 320, 200, s)) {
            assertThat(rig.pipeline.stats().source()).isEqualTo("region");
            int[][] shapes = {{0, 0, 320, 200}, {100, 50, 8, 16}, {300, 199, 16, 1}, {0, 0, 1, 1}, {30, 20, 16, 1}};
            for (int k = 0; k < shapes.length; k++) {
                rig.stamp(s, k, shapes[k][0], shapes[k][1], Math.min(shapes[k][2], 320 - shapes[k][0]), shapes[k][3]);
                int seen = k;
                awaitTrue("stamp " + k + " seen", java.time.Duration.ofSeconds(60),
                        () -> s.looks >= 0 && s.seen[seen] != 0);
            }
        }
        double[] l = s.latenciesMs(0, 5);
        for (int k = 0; k < 5; k++) {
            assertThat(l[k]).as("stamp " + k).isFinite().isNotNegative();
        }
        // a stamp overwritten before any frame showed it is never seen: infinitely late, not left out
        LatencyMain.Stamps t = new LatencyMain.Stamps(2);
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(16 * 4 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        t.x[0] = 3;
        t.y[0] = 2;
        t.x[1] = 3;
        t.y[1] = 2;
        t.written[0] = 10;
        t.written[1] = 20;
        t.published = 2;
        frame.putInt(2 * 64 + 3 * 4, LatencyMain.color(1));
        t.look(frame, 64, 3_000_020);
        assertThat(t.latenciesMs(0, 2)).containsExactly(Double.POSITIVE_INFINITY, 3.0);
        double[] sorted = {1, 2, 3, 4, Double.POSITIVE_INFINITY};
        assertThat(LatencyMain.percentile(sorted, 50)).isEqualTo(3);
        assertThat(LatencyMain.percentile(sorted, 99)).isInfinite();
    }

    /** Waits up to {@code wait} for a condition (generous: asserts order, not time). */
    private static void awaitTrue(String what, java.time.Duration wait, java.util.function.BooleanSupplier c)
            throws InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + wait + ": " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void theIoctlBenchmarkAsksARealFdThroughScanoutsPathAndTheBareCall() throws Exception {
        IoctlBenchmark.Fd fd = new IoctlBenchmark.Fd();
        fd.setUp(); // checks both paths' answers: 4096 bytes readable in the memfd
        try {
            IoctlBenchmark b = new IoctlBenchmark();
            assertThat(b.scanout(fd)).isEqualTo(4096);
            assertThat(b.scanoutHeapArg(fd)).isEqualTo(4096);
            assertThat(b.direct(fd)).isEqualTo(4096);
            assertThat(b.interfaceMapped(fd)).isEqualTo(4096);
        } finally {
            fd.tearDown();
        }
    }

    @Test
    void aPollOfAnUnchangedDeviceIsTheTwoPlaneQueriesAndDeliversNothing() throws Throwable {
        SimDevice device = SimDevices.create("sim:gvt");
        Devices devices = new Devices();
        PollBenchmark.NullSink sink = new PollBenchmark.NullSink();
        // no opaque re-send: on a slow machine 100 ms could pass between two polls
        try (SteppedPipeline h = Pipeline.builder("smoke").device(devices.open(device)).sources(List.of(DmaBufSources.create()))
                .options(PipelineOptions.defaults().withOpaqueRefresh(Duration.ZERO)).buildStepped().open();
                SinkHandle handle = h.attach(sink, "null")) {
            h.tick(); // the first frame is forced out
            PipelineStats first = h.stats();
            int ioctls = device.ioctlCount();
            for (int i = 0; i < 10; i++) {
                h.tick();
            }
            PipelineStats after = h.stats();
            assertThat(h.sourceType()).isEqualTo("dmabuf");
            assertThat(first.captured()).isEqualTo(1);
            assertThat(after.polls() - first.polls()).isEqualTo(10);
            assertThat(after.captured()).isEqualTo(1);
            assertThat(after.unchanged() - first.unchanged()).isEqualTo(10);
            assertThat(device.ioctlCount() - ioctls).isEqualTo(20);
        }
    }

    @Test
    void theHotSwapMeasurementAttachesAFileSinkAndFindsItsPngThroughTheLaunchersHook() throws Exception {
        Path dist = Path.of("..", "runtime", "target", "scanout").toAbsolutePath().normalize();
        assertThat(dist.resolve("bundles")).as("the distribution (build it: mvn -pl runtime -am package)").isDirectory();
        HotSwapMain.Result r = HotSwapMain.measure(dist, 1, 2);
        assertThat(r.times()).hasSize(2).allSatisfy(t -> assertThat(t).isPositive());
        assertThat(r.attached()).hasSize(2);
        assertThat(r.watchedTimes()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(r.attached().get(i)).isPositive().isLessThanOrEqualTo(r.watchedTimes().get(i));
        }
    }
}
