package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.FakeScreen;
import io.github.scanout.core.testing.NullDevice;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The device lifecycle on its own, stepped on the test's thread: a scripted opener, fake plane
 * sources, and a record of what it told the capture loop.
 */
class DeviceLifecycleTest {

    final List<String> lines = new CopyOnWriteArrayList<>();
    final ConditionLog log = ConditionLog.summarizing((level, message) -> lines.add(level + " " + message),
            Clock.SYSTEM::nanoTime, TimeUnit.SECONDS.toNanos(10));
    /** What the opener does next: a device to hand out or an exception to throw; empty: a new device. */
    final Deque<Object> opens = new ArrayDeque<>();
    final List<NullDevice> opened = new ArrayList<>();
    final List<PlaneSource> sources = new CopyOnWriteArrayList<>();
    /** What the lifecycle told the loop, in order. */
    final List<String> told = new ArrayList<>();
    final LoopSignal signal = new LoopSignal();
    final StallWatch stall = new StallWatch(Clock.SYSTEM);

    final DeviceLifecycle.Capture capture = new DeviceLifecycle.Capture() {
        @Override
        public void adopted() {
            told.add("adopted");
        }

        @Override
        public void sessionClosing() {
            told.add("session closing");
        }

        @Override
        public void released() {
            told.add("released");
        }

        @Override
        public void state(PipelineState state, String reason) {
            told.add(state + (reason.isEmpty() ? "" : ": " + reason));
        }

        @Override
        public void noSignal(String reason) {
            told.add("no signal: " + reason);
        }
    };

    DeviceLifecycle lifecycle(PipelineOptions options, boolean reopens) {
        DeviceOpener opener = new DeviceOpener() {
            @Override
            public GfxDevice open() throws DeviceException {
                Object next = opens.poll();
                if (next instanceof DeviceException e) {
                    throw e;
                }
                NullDevice d = new NullDevice("dev");
                opened.add(d);
                return d;
            }

            @Override
            public boolean reopens() {
                return reopens;
            }
        };
        PipelineSetup setup = new PipelineSetup("dev", "sim:test", "device 'dev'", options, opener,
                () -> List.copyOf(sources), List::of);
        return new DeviceLifecycle(setup, Clock.SYSTEM, signal, stall, new SourceSelector(setup, stall), log, capture);
    }

    FakePlaneSource source(BufferType type, int priority) {
        FakePlaneSource s = new FakePlaneSource(type, priority, new FakeScreen(type, 64, 48));
        sources.add(s);
        return s;
    }

    /** A lifecycle stepped until it captures, with what it told the loop so far forgotten. */
    DeviceLifecycle capturing(Duration rescan, boolean reopens) throws InterruptedException {
        DeviceLifecycle l = lifecycle(PipelineOptions.defaults().withRescan(rescan), reopens);
        stepUntilCapturing(l, 2);
        assertThat(l.capturing()).isTrue();
        told.clear();
        return l;
    }

    /** Steps until capturing, at most {@code steps} times. */
    static void stepUntilCapturing(DeviceLifecycle l, int steps) throws InterruptedException {
        for (int i = 0; i < steps && !l.capturing(); i++) {
            l.step();
        }
    }

    @Test
    void opensChoosesTheBestSourceThatProbesAndReleasesBothInOrder() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        dmabuf.probeAnswer = false;
        DeviceLifecycle l = lifecycle(PipelineOptions.defaults(), true);
        assertThat(l.capturing()).isFalse();
        l.step(); // open
        assertThat(opened).hasSize(1);
        assertThat(l.capturing()).isFalse();
        l.step(); // choose
        assertThat(l.capturing()).isTrue();
        assertThat(l.sourceType()).isEqualTo("region");
        assertThat(l.choice().source()).isSameAs(region);
        assertThat(told).containsExactly("adopted");
        assertThat(lines).anyMatch(x -> x.contains("reading region planes (priority 100"));

        l.release();
        assertThat(told).containsExactly("adopted", "session closing", "released");
        assertThat(region.closes).hasValue(1);
        assertThat(opened.get(0).closes).hasValue(1);
        assertThat(l.sourceType()).isEmpty();
        assertThat(l.choice()).isNull();
    }

    @Test
    void aTransientOpenErrorIsSaidOnceAndTriedAgain() throws Exception {
        source(BufferType.REGION, 100);
        opens.add(new DeviceException("busy", Errno.EBUSY.number()));
        opens.add(new DeviceException("busy", Errno.EBUSY.number()));
        DeviceLifecycle l = lifecycle(PipelineOptions.defaults(), true);
        stepUntilCapturing(l, 10);
        assertThat(l.capturing()).isTrue();
        assertThat(opened).as("two tries failed, the third opened").hasSize(1);
        assertThat(lines.stream().filter(x -> x.contains("trying again"))).hasSize(1);
        assertThat(told).containsExactly("adopted");
    }

    @Test
    void aDeviceThatCannotBeOpenedIsParkedUntilAReopen() throws Exception {
        source(BufferType.REGION, 100);
        opens.add(new DeviceException("permission denied", Errno.EACCES.number()));
        DeviceLifecycle l = lifecycle(PipelineOptions.defaults(), true);
        l.step();
        assertThat(l.capturing()).isFalse();
        assertThat(told).hasSize(2);
        assertThat(told.get(0)).startsWith("FAILED: cannot open sim:test: permission denied");
        assertThat(told.get(1)).startsWith("no signal: device dev: cannot open sim:test");

        l.reopen();
        stepUntilCapturing(l, 3);
        assertThat(l.capturing()).isTrue();
        assertThat(told.subList(2, told.size())).containsExactly("session closing", "released", "STARTING", "adopted");
    }

    @Test
    void aGoneDeviceIsReleasedParkedAndOpenedAgainWhenItIsBack() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        DeviceLifecycle l = capturing(Duration.ofMillis(20), true);
        opens.add(new DeviceException("still gone", Errno.ENODEV.number()));

        l.gone(new DeviceException("no such device", Errno.ENODEV.number()));
        assertThat(l.capturing()).isFalse();
        assertThat(region.closes).hasValue(1);
        assertThat(opened.get(0).closes).hasValue(1);
        assertThat(told).hasSize(4);
        assertThat(told.subList(0, 2)).containsExactly("session closing", "released");
        assertThat(told.get(2)).startsWith("GONE: device dev is gone");
        assertThat(told.get(3)).startsWith("no signal: device dev is gone");
        assertThat(lines).anyMatch(x -> x.contains("tried every 20 ms"));

        // parked: the first rescan finds it still gone (quietly), the next opens it
        stepUntilCapturing(l, 10);
        assertThat(l.capturing()).isTrue();
        assertThat(opened).hasSize(2);
        assertThat(told.subList(4, told.size())).containsExactly("STARTING", "adopted");
        assertThat(lines.stream().filter(x -> x.contains("is back; capturing again"))).hasSize(1);
    }

    @Test
    void aDeviceHandedOverOpenIsNotRescanned() throws Exception {
        source(BufferType.REGION, 100);
        DeviceLifecycle l = capturing(Duration.ofMillis(20), false);
        l.gone(new DeviceException("no such device", Errno.ENODEV.number()));
        assertThat(lines).anyMatch(x -> x.contains("opened again when its configuration changes"));
        signal.wake(); // the parked step returns when woken, not because a rescan is due
        l.step();
        assertThat(opened).as("not opened again").hasSize(1);
        assertThat(l.capturing()).isFalse();
    }

    @Test
    void withNoSourceItWaitsForTheSourcesToChangeAndSwitchesToABetterOne() throws Exception {
        DeviceLifecycle l = lifecycle(PipelineOptions.defaults(), true);
        l.step();
        l.step();
        assertThat(l.capturing()).isFalse();
        assertThat(told).hasSize(2);
        assertThat(told.get(0)).startsWith("NO_SOURCE: no plane source is registered");
        assertThat(told.get(1)).startsWith("no signal: no plane source is registered");

        FakePlaneSource region = source(BufferType.REGION, 100);
        l.reconsiderSources();
        l.step();
        assertThat(l.capturing()).isTrue();
        assertThat(l.choice().source()).isSameAs(region);

        FakePlaneSource dmabuf = source(BufferType.DMABUF, 200);
        l.reconsiderSources();
        assertThat(l.choice().source()).as("switched to the higher priority").isSameAs(dmabuf);
        assertThat(region.closes).hasValue(1);
        assertThat(lines).anyMatch(x -> x.contains("switching from region to dmabuf"));

        sources.remove(dmabuf);
        l.reconsiderSources();
        assertThat(l.capturing()).as("the source went away: probing again").isFalse();
        assertThat(dmabuf.closes).hasValue(1);
        l.step();
        assertThat(l.choice().source()).isSameAs(region);
        assertThat(told.subList(2, told.size())).containsExactly("adopted", "session closing", "adopted",
                "session closing", "adopted");
        assertThat(opened).as("one device all along").hasSize(1);
    }

    @Test
    void aFailureOfTheLoopReleasesEverythingAndParksWithoutARescan() throws Exception {
        FakePlaneSource region = source(BufferType.REGION, 100);
        DeviceLifecycle l = capturing(Duration.ofMillis(1), true);
        l.failed("the capture loop failed: boom");
        assertThat(told).containsExactly("session closing", "released", "FAILED: the capture loop failed: boom",
                "no signal: device dev: the capture loop failed: boom");
        assertThat(region.closes).hasValue(1);
        signal.wake();
        l.step();
        assertThat(opened).hasSize(1);
        assertThat(l.capturing()).isFalse();
    }
}
