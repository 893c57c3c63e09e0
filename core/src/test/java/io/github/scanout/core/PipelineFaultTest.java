package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.NullDevice;
import io.github.scanout.core.testing.RecordingSink;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device faults: transient errors, persistent errors, a vanished device, a blocked ioctl, an open that fails. */
class PipelineFaultTest extends PipelineTestBase {

    @Test
    void transientErrorsAreRetriedQuietly() throws Exception {
        FakePlaneSource src = source(BufferType.DMABUF, 200);
        src.screen().failNext(new DeviceException("querying the primary plane", Errno.ENOMEM.number()));
        Pipeline p = start(builder("d", src));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        sink.awaitFrames(1, WAIT);
        assertThat(sink.noSignals()).isEmpty();
        assertThat(p.stats().deviceErrors()).isEqualTo(1);
        assertThat(log.lines()).noneMatch(l -> l.startsWith("WARNING"));
    }

    @Test
    void persistentErrorsAreLoggedOnceToldToSinksAndRecoveredFrom() throws Exception {
        FakePlaneSource src = source(BufferType.DMABUF, 200);
        Pipeline p = start(builder("d", src).options(PipelineOptions.defaults().withMaxRate(200)
                .withIdle(Duration.ofSeconds(1), Duration.ofMillis(40))));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        sink.awaitFrames(1, WAIT);
        src.screen().failForever(new DeviceException("querying the primary plane (dmabuf) of d", Errno.EIO.number()));
        sink.awaitNoSignals(1, WAIT);
        awaitState(p, PipelineState.ERROR);
        Await.until("10 errors", WAIT, () -> p.stats().deviceErrors() >= 10);
        assertThat(sink.noSignals()).containsExactly("device d answers with errors: querying the primary plane (dmabuf)"
                + " of d: EIO");
        assertThat(log.count("querying the primary plane (dmabuf) of d: EIO (retrying with back-off)")).isEqualTo(1);
        assertThat(p.stats().rateHz()).as("backed off").isLessThan(30);

        src.screen().failForever(null);
        sink.awaitFrames(2, WAIT);
        awaitState(p, PipelineState.RUNNING);
        assertThat(log.count("the device answers again")).isEqualTo(1);
    }

    @Test
    void aVanishedDeviceIsReportedOncePollingStopsAndEverythingIsReleased() throws Exception {
        FakePlaneSource src = source(BufferType.DMABUF, 200);
        NullDevice device = new NullDevice("d");
        Pipeline p = start(Pipeline.builder("d").device(device).sources(List.of(src)).reporter(log)
                .options(PipelineOptions.defaults().withMaxRate(200)));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        sink.awaitFrames(1, WAIT);
        src.screen().failForever(new DeviceException("querying the primary plane (dmabuf) of d", Errno.ENODEV.number()));
        awaitState(p, PipelineState.GONE);
        sink.awaitNoSignals(1, WAIT);
        int acquires = src.screen().primaryAcquires();
        Thread.sleep(200);
        assertThat(src.screen().primaryAcquires()).as("polling stopped").isEqualTo(acquires);
        assertThat(src.openSessions.get()).isZero();
        assertThat(device.closes.get()).isEqualTo(1);
        Await.until("buffers released", WAIT, () -> src.screen().liveBuffers() == 0);
        assertThat(log.count("is gone")).isEqualTo(1);
        assertThat(sink.noSignals()).containsExactly("device d is gone (querying the primary plane (dmabuf) of d: ENODEV)");
        assertThat(p.stats().reason()).contains("ENODEV");

        // a newcomer is told at once; a reopen of a device handed over open fails clearly
        RecordingSink late = RecordingSink.any();
        closeLater(p.attach(late, "late"));
        late.awaitNoSignals(1, WAIT); // nothing changes any more: only the attach tells it
        p.reopen();
        awaitState(p, PipelineState.FAILED);
        assertThat(p.stats().reason()).contains("cannot be opened again");
    }

    @Test
    void aBlockedDeviceCallStallsOnlyItsOwnPipelineAndCloseDoesNotWaitForIt() throws Exception {
        FakePlaneSource stuckSource = source(BufferType.DMABUF, 200);
        stuckSource.screen().newBufferEveryAcquire(true);
        FakePlaneSource healthySource = source(BufferType.DMABUF, 200);
        healthySource.screen().newBufferEveryAcquire(true);
        PipelineOptions options = PipelineOptions.defaults().withStallTimeout(Duration.ofMillis(300));
        Pipeline stuck = start(builder("stuck", stuckSource).options(options));
        Pipeline healthy = start(builder("healthy", healthySource).options(options));
        RecordingSink a = RecordingSink.any();
        RecordingSink b = RecordingSink.any();
        closeLater(stuck.attach(a, "a"));
        closeLater(healthy.attach(b, "b"));
        a.awaitFrames(3, WAIT);
        b.awaitFrames(3, WAIT);

        stuckSource.screen().block();
        Await.until("the capture thread blocked", WAIT, () -> stuckSource.screen().blockedCalls() > 0);
        awaitState(stuck, PipelineState.STALLED);
        a.awaitNoSignals(1, WAIT);
        assertThat(a.noSignals().get(0)).startsWith("device stuck has not answered for ")
                .endsWith(" (acquiring the primary plane (dmabuf) is blocked); the picture resumes if it answers");
        assertThat(stuck.stats().reason()).startsWith("acquiring the primary plane (dmabuf) has not returned for");
        int before = b.frames();
        b.awaitFrames(before + 20, WAIT);
        assertThat(healthy.state()).isEqualTo(PipelineState.RUNNING);
        // a newcomer meanwhile gets the last picture and is told the device is stalled
        RecordingSink newcomer = RecordingSink.any();
        closeLater(stuck.attach(newcomer, "newcomer"));
        // the device is blocked: no new frame can come, so these came from the attach
        newcomer.awaitFrames(1, WAIT);
        newcomer.awaitNoSignals(1, WAIT);
        assertThat(newcomer.noSignals().get(0)).startsWith("device stuck has not answered");

        // it answers again: the picture comes back
        int aFrames = a.frames();
        stuckSource.screen().unblock();
        a.awaitFrames(aFrames + 1, WAIT);
        awaitState(stuck, PipelineState.RUNNING);

        // blocked again, then closed: close returns after the stall timeout, the thread finishes later
        stuckSource.screen().block();
        Await.until("blocked again", WAIT, () -> stuckSource.screen().blockedCalls() > 1);
        // close returns while the device call is still blocked (the thread is asserted alive
        // below): that it did not wait is the behaviour; how long the stall timeout takes is not
        stuck.close();
        assertThat(stuck.state()).isEqualTo(PipelineState.CLOSED);
        assertThat(log.count("the capture thread is blocked in a device call")).isEqualTo(1);
        assertThat(Await.scanoutThreads()).contains("scanout-capture-stuck");
        stuckSource.screen().unblock();
        Await.until("the abandoned thread finished", WAIT, () -> !Await.scanoutThreads().contains("scanout-capture-stuck"));
        assertThat(stuckSource.openSessions.get()).isZero();
    }

    @Test
    void aDeviceThatCannotBeOpenedIsOneLogLineNamingIt() throws Exception {
        Devices devices = new Devices(List.of());
        Pipeline p = start(Pipeline.builder("desk").open(devices, "nope:thing").label("device 'desk' (configuration x~1)")
                .sources(List.of(source(BufferType.DMABUF, 200))).reporter(log));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        awaitState(p, PipelineState.FAILED);
        sink.awaitNoSignals(1, WAIT);
        assertThat(p.stats().reason()).isEqualTo("cannot open nope:thing: no device provider for scheme 'nope' in"
                + " 'nope:thing' (known schemes: vm, libvirt, fd; is a provider such as scanout-sim on the class path?)");
        assertThat(log.lines()).containsExactly("WARNING device 'desk' (configuration x~1): cannot open nope:thing: no"
                + " device provider for scheme 'nope' in 'nope:thing' (known schemes: vm, libvirt, fd; is a provider such as"
                + " scanout-sim on the class path?); nothing is polled until the configuration changes or the pipeline"
                + " is reopened");
    }

    @Test
    void aProbeThatFailsTransientlyIsTriedAgainAndSaidOnce() throws Exception {
        FakePlaneSource src = source(BufferType.DMABUF, 200);
        src.probeError = new DeviceException("probing dmabuf planes of d", Errno.EAGAIN.number());
        Pipeline p = start(builder("d", src));
        RecordingSink sink = RecordingSink.any();
        closeLater(p.attach(sink, "s"));
        Await.until("probed three times", WAIT, () -> src.probes.get() >= 3);
        assertThat(sink.frames()).isZero();
        src.probeError = null;
        sink.awaitFrames(1, WAIT);
        awaitState(p, PipelineState.RUNNING);
        assertThat(log.lines()).filteredOn(l -> l.contains("trying again")).containsExactly("INFO device 'd': no plane"
                + " source can read d: dmabuf (priority 200): probe failed: probing dmabuf planes of d: EAGAIN"
                + " (transient); trying again");
    }
}
