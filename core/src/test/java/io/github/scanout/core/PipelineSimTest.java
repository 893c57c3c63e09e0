package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.RecordingSink;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.core.testing.TestLog;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelines over simulated vGPUs opened through {@link Devices}: real fds, real mappings, the
 * guest animating at 60 frames per second, so leaks show up in /proc/self/fd.
 */
class PipelineSimTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    final TestLog log = new TestLog();
    final SimDeviceProvider provider = new SimDeviceProvider();
    final Devices devices = new Devices(List.of(provider));
    int fdsAtStart;
    long leasesAtStart;
    long mappingsAtStart;

    @BeforeEach
    void start() {
        Await.noScanoutThreads(WAIT);
        fdsAtStart = Resources.openFds();
        leasesAtStart = Leases.live();
        mappingsAtStart = Resources.liveMappings();
    }

    @AfterEach
    void nothingLeaked() {
        Await.noScanoutThreads(WAIT);
        Await.until("leases back", WAIT, Leases::live, n -> n == leasesAtStart);
        Await.until("fds back", WAIT, Resources::openFds, n -> n == fdsAtStart);
        assertThat(Resources.liveMappings()).isEqualTo(mappingsAtStart);
    }

    Pipeline pipeline(String spec, PipelineOptions options) {
        return Pipeline.builder(spec).open(devices, spec).sources(List.of(new SimRegionSource())).options(options)
                .reporter(log).build();
    }

    @Test
    void hotSwap200SinksOnAnAnimatedMdpyLeaksNoThreadFdOrLease() throws Exception {
        // the simulated device keeps its memory in a memfd from its first open on, as an mdev keeps its memory
        devices.open("sim:mdpy-vga").close();
        fdsAtStart = Resources.openFds();
        SimDevice sim = provider.device("sim:mdpy-vga");
        long t0 = System.nanoTime();
        long drawnBefore = sim.frame();
        try (Pipeline p = pipeline("sim:mdpy-vga", PipelineOptions.defaults())) {
            RecordingSink steady = new RecordingSink(SinkNeeds.cpuSnapshots());
            SinkHandle steadyHandle = p.attach(steady, "steady");
            steady.awaitFrames(5, WAIT);
            for (int i = 0; i < 200; i++) {
                RecordingSink visitor = i % 2 == 0 ? RecordingSink.cpu() : new RecordingSink(SinkNeeds.cpuSnapshots());
                SinkHandle h = p.attach(visitor, "visitor-" + i);
                if (i % 10 == 0) {
                    visitor.awaitFrames(2, WAIT);
                }
                assertThat(h.detach(Duration.ofSeconds(2))).isTrue();
                assertThat(visitor.problems()).isEmpty();
            }
            steady.awaitFrames(steady.frames() + 5, WAIT);
            steadyHandle.close();
            List<Long> seq = steady.sequences();
            long gaps = 0;
            for (int i = 1; i < seq.size(); i++) {
                gaps += seq.get(i) - seq.get(i - 1) - 1;
            }
            SinkStats st = steadyHandle.stats();
            assertThat(gaps).isEqualTo(st.dropped());
            assertThat(steady.memories()).containsOnly(MemoryKind.SNAPSHOT);
            PipelineStats ps = p.stats();
            System.err.printf("sim hot-swap: %d ms; %s; steady: %s%n", (System.nanoTime() - t0) / 1_000_000, ps, st);
            long drawn = sim.frame() - drawnBefore;
            System.err.printf("the guest drew %d frames, the pipeline captured %d%n", drawn, ps.captured());
            assertThat(ps.captured()).as("every frame the guest drew was seen (the box moves 8 pixels per frame)")
                    .isGreaterThanOrEqualTo(drawn - 1).isGreaterThan(20);
            assertThat(st.latencyP50Micros()).isPositive().isLessThanOrEqualTo(st.latencyP99Micros());
            // the latency itself is bench's to measure (BENCHMARKS.md), not a unit test's to bound
        }
    }

    @Test
    void aVanishedDeviceIsReleasedWhileThePipelineLives() throws Exception {
        SimDevice sim = provider.device("sim:mdpy-xga");
        try (Pipeline p = pipeline("sim:mdpy-xga", PipelineOptions.defaults())) {
            RecordingSink sink = RecordingSink.cpu();
            assertThat(p.stats().mode()).as("nothing shown yet").isEmpty();
            p.attach(sink, "s");
            sink.awaitFrames(3, WAIT);
            assertThat(p.stats().mode()).as("the mode of the frames captured").isEqualTo("1024x768 XR24");
            assertThat(Resources.openFds()).isGreaterThan(fdsAtStart);
            sim.vanish();
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            assertThat(p.stats().mode()).as("nothing shown once gone").isEmpty();
            sink.awaitNoSignals(1, WAIT);
            Await.until("every fd of the device closed while the pipeline still exists", WAIT, Resources::openFds,
                    n -> n == fdsAtStart);
            assertThat(Resources.liveMappings()).isEqualTo(mappingsAtStart);
            assertThat(sim.liveFds()).isZero();
            int ioctls = sim.ioctlCount();
            Thread.sleep(200);
            assertThat(sim.ioctlCount()).as("no more polling").isEqualTo(ioctls);
            assertThat(log.count("is gone")).isEqualTo(1);
        }
    }

    @Test
    void aGoneDeviceThatComesBackIsFoundByTheRescanAndCapturedAgain() throws Exception {
        devices.open("sim:mdpy-vga").close(); // the device's memory (a memfd) lives from its first open on
        fdsAtStart = Resources.openFds();
        SimDevice sim = provider.device("sim:mdpy-vga");
        try (Pipeline p = pipeline("sim:mdpy-vga", PipelineOptions.defaults().withRescan(Duration.ofMillis(100)))) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            sink.awaitFrames(2, WAIT);
            sim.vanish();
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            Await.until("the device's fds closed", WAIT, sim::liveFds, n -> n == 0);
            // several rescans fail quietly while it is away
            Thread.sleep(450);
            assertThat(p.state()).isEqualTo(PipelineState.GONE);
            assertThat(log.lines()).filteredOn(l -> l.contains("sim:mdpy-vga")).hasSize(2);
            assertThat(log.lines()).anyMatch(l -> l.contains("it is opened again when it comes back (tried every 100"
                    + " ms), when its configuration changes or when the pipeline is reopened"));

            int frames = sink.frames();
            sim.reappear();
            sink.awaitFrames(frames + 3, WAIT);
            Await.until("running", WAIT, p::state, s -> s == PipelineState.RUNNING);
            assertThat(log.count("device sim:mdpy-vga is back; capturing again")).isEqualTo(1);
            assertThat(log.count("is gone")).isEqualTo(1);
            assertThat(sim.liveFds()).isPositive();
        }
    }

    @Test
    void aDeviceThatIsAwayWhenThePipelineStartsIsGoneNotFailedAndIsCapturedWhenItComesBack() throws Exception {
        devices.open("sim:mdpy-vga").close();
        SimDevice sim = provider.device("sim:mdpy-vga");
        sim.vanish();
        try (Pipeline p = pipeline("sim:mdpy-vga", PipelineOptions.defaults().withRescan(Duration.ofMillis(100)))) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            assertThat(p.stats().reason()).contains("ENODEV");
            sink.awaitNoSignals(1, WAIT);
            Thread.sleep(350); // rescans fail quietly while it is away
            assertThat(p.state()).isEqualTo(PipelineState.GONE);
            assertThat(log.count("is gone")).isEqualTo(1);
            assertThat(log.count("cannot open")).isZero();

            sim.reappear();
            sink.awaitFrames(2, WAIT);
            Await.until("running", WAIT, p::state, s -> s == PipelineState.RUNNING);
            assertThat(log.count("device sim:mdpy-vga is back; capturing again")).isEqualTo(1);
        }
    }

    @Test
    void transientErrorsWhileOpeningAndProbingAreRetriedAndSaidOnce() throws Exception {
        devices.open("sim:mdpy-xga").close();
        fdsAtStart = Resources.openFds();
        SimDevice sim = provider.device("sim:mdpy-xga");
        // GET_INFO while opening fails, then the retried open's GET_INFO, then the probe
        sim.failNext(3, io.github.scanout.api.Errno.EAGAIN);
        try (Pipeline p = pipeline("sim:mdpy-xga", PipelineOptions.defaults())) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            sink.awaitFrames(2, WAIT);
            assertThat(p.state()).isEqualTo(PipelineState.RUNNING);
            assertThat(sim.failuresArmed()).isZero();
            assertThat(log.lines()).filteredOn(l -> l.contains("trying again")).hasSize(1)
                    .allMatch(l -> l.startsWith("INFO device 'sim:mdpy-xga': opening sim:mdpy-xga failed: ")
                            && l.contains("EAGAIN"));
            assertThat(log.lines()).noneMatch(l -> l.startsWith("WARNING"));
        }
    }
}
