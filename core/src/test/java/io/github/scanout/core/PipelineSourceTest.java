package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.RecordingSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Choosing the plane source: priority, forced type, errors naming every probe, re-probing. */
class PipelineSourceTest extends PipelineTestBase {

    @Test
    void highestPriorityWorkingSourceWins() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        Pipeline p = start(builder("d", region, dmabuf));
        awaitState(p, PipelineState.RUNNING);
        assertThat(p.stats().source()).isEqualTo("dmabuf");
        assertThat(region.opens.get()).isZero();
        assertThat(dmabuf.lastThread).isEqualTo("scanout-capture-d");
    }

    @Test
    void sourceWhoseProbeSaysNoIsPassedOver() {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        dmabuf.probeAnswer = false;
        Pipeline p = start(builder("d", dmabuf, region));
        awaitState(p, PipelineState.RUNNING);
        assertThat(p.stats().source()).isEqualTo("region");
        assertThat(dmabuf.probes.get()).isEqualTo(1);
        assertThat(dmabuf.opens.get()).isZero();
    }

    @Test
    void forcedTypeIsTakenOverAHigherPriority() {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        Pipeline p = start(builder("d", region, dmabuf)
                .options(PipelineOptions.defaults().withBufferType("region")));
        awaitState(p, PipelineState.RUNNING);
        assertThat(p.stats().source()).isEqualTo("region");
        assertThat(dmabuf.probes.get()).isZero();
    }

    @Test
    void whenNoSourceWorksTheReasonNamesEveryProbesAnswer() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        dmabuf.probeAnswer = false;
        region.probeError = new DeviceException("probing region planes of d", Errno.EIO.number());
        RecordingSink sink = RecordingSink.any();
        Pipeline p = start(builder("d", region, dmabuf));
        closeLater(p.attach(sink, "s"));
        awaitState(p, PipelineState.NO_SOURCE);
        String reason = p.stats().reason();
        assertThat(reason).isEqualTo("no plane source can read d: dmabuf (priority 200): probe answered no (the device"
                + " does not offer dmabuf planes); region (priority 100): probe failed: probing region planes of d: EIO");
        sink.awaitNoSignals(1, WAIT);
        assertThat(sink.noSignals()).containsExactly(reason);
        assertThat(log.count("no plane source can read d")).isEqualTo(1);
    }

    @Test
    void openFailureIsNamedAndTheNextSourceTried() {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        dmabuf.openError = new DeviceException("no buffers", Errno.ENOENT.number());
        Pipeline p = start(builder("d", region, dmabuf));
        awaitState(p, PipelineState.RUNNING);
        assertThat(p.stats().source()).isEqualTo("region");
    }

    @Test
    void forcedTypeThatNoSourceReadsSaysWhatIsRegistered() {
        Pipeline p = start(builder("d", source(BufferType.REGION, 100), source(BufferType.DMABUF, 200))
                .options(PipelineOptions.defaults().withBufferType("vendorx")));
        awaitState(p, PipelineState.NO_SOURCE);
        assertThat(p.stats().reason()).isEqualTo("buffer.type = vendorx is forced but no registered plane source reads"
                + " vendorx (registered: dmabuf (priority 200), region (priority 100))");
    }

    @Test
    void noSourcesAtAll() {
        Pipeline p = start(builder("d"));
        awaitState(p, PipelineState.NO_SOURCE);
        assertThat(p.stats().reason()).startsWith("no plane source is registered");
    }

    @Test
    void stoppingTheSourceInUseReprobesAndStartingItAgainContinues() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        region.screen().newBufferEveryAcquire(true);
        List<PlaneSource> registered = new CopyOnWriteArrayList<>(List.of(region));
        Pipeline p = start(Pipeline.builder("d").device(new io.github.scanout.core.testing.NullDevice("d"))
                .sources(() -> List.copyOf(registered)).reporter(log));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        sink.awaitFrames(3, WAIT);

        // the bundle stops: DS unbinds the source; when sourcesChanged returns it is no longer used
        registered.remove(region);
        assertThat(p.sourcesChanged(Duration.ofSeconds(5))).isTrue();
        assertThat(region.openSessions.get()).isZero();
        int acquiresAfterRemoval = region.screen().primaryAcquires();
        awaitState(p, PipelineState.NO_SOURCE);
        sink.awaitNoSignals(1, WAIT);
        assertThat(region.screen().primaryAcquires()).isEqualTo(acquiresAfterRemoval);

        // it starts again
        int framesBefore = sink.frames();
        registered.add(region);
        p.sourcesChanged(Duration.ZERO);
        awaitState(p, PipelineState.RUNNING);
        sink.awaitFrames(framesBefore + 3, WAIT);
        assertThat(region.opens.get()).isEqualTo(2);
    }

    @Test
    void aBetterSourceThatAppearsIsTaken() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        List<PlaneSource> registered = new CopyOnWriteArrayList<>(List.of(region));
        Pipeline p = start(Pipeline.builder("d").device(new io.github.scanout.core.testing.NullDevice("d"))
                .sources(() -> List.copyOf(registered)).reporter(log));
        awaitState(p, PipelineState.RUNNING);
        assertThat(p.stats().source()).isEqualTo("region");
        registered.add(dmabuf);
        assertThat(p.sourcesChanged(Duration.ofSeconds(5))).isTrue();
        assertThat(p.stats().source()).isEqualTo("dmabuf");
        assertThat(region.openSessions.get()).isZero();
        // a worse one appearing changes nothing
        FakePlaneSource vendor = source(new BufferType("vendor", 8), 50);
        registered.add(vendor);
        assertThat(p.sourcesChanged(Duration.ofSeconds(5))).isTrue();
        assertThat(vendor.probes.get()).isZero();
        assertThat(p.stats().source()).isEqualTo("dmabuf");
        Await.until("running", WAIT, () -> p.state() == PipelineState.RUNNING);
    }
}
