package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.Damage;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.OneEndpointProvider;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.core.testing.TestLog;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device that says what changed (QEMU's D-Bus display): the pipeline trusts its damage instead
 * of hashing the frame, and hands it to the sinks with each frame; a device that does not say
 * gets its pixels compared, and its frames carry {@link Damage#UNKNOWN}.
 */
class PipelineDamageTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    /** A damage log the test fills; UNKNOWN first, as after an open. */
    static final class ScriptedLog implements DamageLog {
        private final ArrayDeque<Damage> said = new ArrayDeque<>(List.of(Damage.UNKNOWN));
        volatile boolean fail;
        int takes;

        synchronized void say(Damage d) {
            said.add(d);
        }

        @Override
        public synchronized Damage take() {
            takes++;
            if (fail) {
                throw new IllegalStateException("log broke");
            }
            Damage d = Damage.NONE;
            while (!said.isEmpty()) {
                d = d.plus(said.poll());
            }
            return d;
        }
    }

    /** The simulated device, not animated, with a damage log. */
    static DeviceProvider withDamage(SimDevice sim, DamageLog log) {
        DeviceEndpoint endpoint = new DeviceEndpoint() {
            @Override
            public String name() {
                return sim.name();
            }

            @Override
            public OpenDevice open(Kernel host) throws io.github.scanout.api.DeviceException {
                return sim.open(host);
            }

            @Override
            public Optional<DamageLog> damage() {
                return Optional.of(log);
            }
        };
        return new OneEndpointProvider("qemu", endpoint);
    }

    /** A viewer (low latency: the loop polls at its full rate) that records each frame's number and damage. */
    static final class Recorder implements FrameSink {
        final List<String> frames = new ArrayList<>();

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(true, false, Set.of(), 0, true);
        }

        @Override
        public synchronized void frame(Frame frame) {
            frames.add(frame.sequence() + " " + frame.damage());
        }

        synchronized List<String> frames() {
            return List.copyOf(frames);
        }
    }

    final TestLog log = new TestLog();
    final List<Pipeline> pipelines = new ArrayList<>();

    @AfterEach
    void close() {
        pipelines.forEach(Pipeline::close);
        Await.noScanoutThreads(WAIT);
    }

    Pipeline pipeline(Devices devices, String spec) {
        Pipeline p = Pipeline.builder("vm").open(devices, spec).sources(List.of(new SimRegionSource()))
                .reporter(log).build();
        pipelines.add(p);
        return p;
    }

    /** Waits until the loop has polled {@code n} more times (at its full rate: a viewer is attached). */
    static void polls(Pipeline p, int n) {
        long from = p.stats().polls();
        Await.until(n + " more polls", WAIT, () -> p.stats().polls() >= from + n);
    }

    @Test
    void aChangeTheDeviceDoesNotSayIsNotLookedForAndOneItSaysGoesOutWithItsRectangle() throws Exception {
        SimDevice sim = SimDevices.create("sim:mdpy-vga", false);
        ScriptedLog damage = new ScriptedLog();
        Devices devices = new Devices(List.of(withDamage(sim, damage)));
        assertThat(devices.damage("qemu:vm")).containsSame(damage);

        Pipeline p = pipeline(devices, "qemu:vm");
        Recorder sink = new Recorder();
        p.attach(sink, "viewer");
        Await.until("the first frame", WAIT, () -> !sink.frames().isEmpty());
        assertThat(sink.frames().get(0)).endsWith(" Damage[unknown]");
        long first = Long.parseLong(sink.frames().get(0).split(" ")[0]);
        int seen = sink.frames().size();

        // pixels change, the device says nothing: the pipeline does not hash, so nothing goes out
        sim.fillRect(0, 0, 64, 64, 0xffff0000);
        polls(p, 5);
        assertThat(sink.frames()).hasSize(seen);

        // the device says what changed: the next frame, numbered next, carries exactly that
        sim.fillRect(100, 100, 8, 16, 0xff00ff00);
        damage.say(Damage.of(100, 100, 8, 16));
        Await.until("the damaged frame", WAIT, () -> sink.frames().size() > seen);
        assertThat(sink.frames().get(seen)).isEqualTo((first + seen) + " Damage[8x16+100+100]");

        // two updates before one look: the frame carries both
        damage.say(Damage.of(0, 0, 8, 16));
        damage.say(Damage.of(300, 200, 8, 16));
        Await.until("the next damaged frame", WAIT, () -> sink.frames().size() > seen + 1);
        assertThat(sink.frames().get(seen + 1)).isEqualTo((first + seen + 1) + " Damage[8x16+0+0, 8x16+300+200]");
        assertThat(p.stats().captured()).isEqualTo(first + seen + 1);
    }

    @Test
    void aDeviceThatDoesNotSayIsComparedAndItsFramesCarryUnknownDamage() throws Exception {
        SimDevice sim = SimDevices.create("sim:mdpy-vga", false);
        Devices devices = new Devices(List.of(new io.github.scanout.sim.SimDeviceProvider()));
        assertThat(devices.damage("sim:mdpy-vga")).isEmpty();
        assertThat(devices.damage("nosuch:x")).isEmpty();
        Pipeline p = Pipeline.builder("plain").device(devices.open(sim)).sources(List.of(new SimRegionSource()))
                .reporter(log).build();
        pipelines.add(p);
        Recorder sink = new Recorder();
        p.attach(sink, "viewer");
        Await.until("the first frame", WAIT, () -> !sink.frames().isEmpty());
        int seen = sink.frames().size();
        sim.fillRect(0, 0, 8, 16, 0xffff0000);
        Await.until("the changed frame, found by comparing", WAIT, () -> sink.frames().size() > seen);
        assertThat(sink.frames()).allMatch(f -> f.endsWith(" Damage[unknown]"));
    }

    @Test
    void aFailingLogIsReportedAndThePixelsAreComparedInstead() throws Exception {
        SimDevice sim = SimDevices.create("sim:mdpy-vga", false);
        ScriptedLog damage = new ScriptedLog();
        Pipeline p = pipeline(new Devices(List.of(withDamage(sim, damage))), "qemu:vm");
        Recorder sink = new Recorder();
        p.attach(sink, "viewer");
        Await.until("the first frame", WAIT, () -> !sink.frames().isEmpty());
        int seen = sink.frames().size();
        damage.fail = true;
        sim.fillRect(0, 0, 8, 16, 0xffff0000);
        Await.until("the changed frame, found by comparing", WAIT, () -> sink.frames().size() > seen);
        assertThat(sink.frames().get(seen)).endsWith(" Damage[unknown]");
        assertThat(log.lines()).anyMatch(l -> l.contains("the device's damage log failed")
                && l.contains("IllegalStateException: log broke") && l.contains("comparing the pixels instead"));
    }
}
