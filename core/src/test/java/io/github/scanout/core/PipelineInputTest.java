package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.input.InputForwarder;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.OneEndpointProvider;
import io.github.scanout.core.testing.FakeVgpu;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.core.testing.TestLog;
import io.github.scanout.sim.SimDeviceProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The input seam: a sink that forwards input gets its device's input target from the pipeline
 * when it is attached, before its first frame; a view-only device hands it none.
 */
class PipelineInputTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    /** A device's input target that records what reaches it. */
    static final class RecordingTarget implements InputTarget {
        final List<String> events = new ArrayList<>();

        @Override
        public synchronized void key(int keysym, boolean down) {
            events.add("key " + Integer.toHexString(keysym) + (down ? " down" : " up"));
        }

        @Override
        public synchronized void pointer(int x, int y, int buttons) {
            events.add("pointer " + x + "," + y + " " + buttons);
        }
    }

    /** An endpoint with a keyboard and mouse: the fake vGPU plus a target. */
    static DeviceProvider withInput(String scheme, FakeVgpu device, InputTarget target) {
        DeviceEndpoint endpoint = new DeviceEndpoint() {
            @Override
            public String name() {
                return device.name();
            }

            @Override
            public OpenDevice open(Kernel host) {
                return device.open(host);
            }

            @Override
            public Optional<InputTarget> input() {
                return Optional.of(target);
            }
        };
        return new OneEndpointProvider(scheme, endpoint);
    }

    /** A sink that forwards input and records, in order, what the pipeline hands it. */
    static final class ForwardingRecorder implements FrameSink, InputForwarder {
        final List<String> calls = new ArrayList<>();
        volatile Optional<InputTarget> target;
        volatile boolean refuse;

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(false, false, java.util.Set.of(), 0);
        }

        @Override
        public synchronized void inputTarget(Optional<InputTarget> t) {
            if (refuse) {
                throw new IllegalStateException("no thanks");
            }
            calls.add("input " + (t.isPresent() ? "target" : "none"));
            target = t;
        }

        @Override
        public synchronized void frame(Frame frame) {
            calls.add("frame");
        }

        @Override
        public synchronized void noSignal(String reason) {
            calls.add("noSignal");
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
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
        Pipeline p = Pipeline.builder("desk").open(devices, spec).sources(List.of(new SimRegionSource()))
                .reporter(log).build();
        pipelines.add(p);
        return p;
    }

    @Test
    void aSinkThatForwardsInputGetsItsDevicesTargetBeforeItsFirstDelivery() {
        RecordingTarget target = new RecordingTarget();
        FakeVgpu vgpu = new FakeVgpu("desk");
        Devices devices = new Devices(List.of(withInput("kvm", vgpu, target)));
        assertThat(devices.input("kvm:desk")).containsSame(target);

        Pipeline p = pipeline(devices, "kvm:desk");
        ForwardingRecorder sink = new ForwardingRecorder();
        p.attach(sink, "viewer");
        assertThat(sink.calls()).first().isEqualTo("input target");
        Await.until("a first delivery", WAIT, () -> sink.calls().size() >= 2);
        assertThat(sink.calls().get(0)).isEqualTo("input target");
        assertThat(sink.calls().subList(1, sink.calls().size())).doesNotContain("input target", "input none");

        // what the sink forwards reaches the device's target unchanged, in order
        sink.target.orElseThrow().key(0x61, true);
        sink.target.orElseThrow().key(0x61, false);
        sink.target.orElseThrow().pointer(10, 20, InputTarget.BUTTON_LEFT);
        assertThat(target.events).containsExactly("key 61 down", "key 61 up", "pointer 10,20 1");
    }

    @Test
    void aViewOnlyDeviceHandsTheSinkNoTarget() {
        Devices devices = new Devices(List.of(new SimDeviceProvider()));
        assertThat(devices.input("sim:mdpy-vga")).isEmpty();
        // not a provider's spec, an unknown scheme, a spec the provider refuses: no target either
        assertThat(devices.input("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")).isEmpty();
        assertThat(devices.input("nosuch:x")).isEmpty();
        FakeVgpu refusing = new FakeVgpu("r");
        assertThat(new Devices(List.of(refusing.provider("fake"))).input("fake:bad")).isEmpty();
        assertThat(new Devices(List.of(refusing.provider("fake"))).input("fake:boom")).isEmpty();

        Pipeline p = pipeline(devices, "sim:mdpy-vga");
        ForwardingRecorder sink = new ForwardingRecorder();
        p.attach(sink, "viewer");
        assertThat(sink.calls()).first().isEqualTo("input none");
        assertThat(sink.target).isEmpty();
    }

    @Test
    void aPipelineHandedAnOpenDeviceIsViewOnly() throws Exception {
        Devices devices = new Devices(List.of(new SimDeviceProvider()));
        Pipeline p = Pipeline.builder("open").device(devices.open("sim:mdpy-vga"))
                .sources(List.of(new SimRegionSource())).reporter(log).build();
        pipelines.add(p);
        ForwardingRecorder sink = new ForwardingRecorder();
        p.attach(sink, "viewer");
        assertThat(sink.target).isEmpty();
    }

    @Test
    void aSinkThatFailsToTakeTheTargetIsNotAttachedAndTheLineSaysWhy() {
        RecordingTarget target = new RecordingTarget();
        Devices devices = new Devices(List.of(withInput("kvm", new FakeVgpu("desk"), target)));
        Pipeline p = pipeline(devices, "kvm:desk");
        ForwardingRecorder sink = new ForwardingRecorder();
        sink.refuse = true;
        assertThatThrownBy(() -> p.attach(sink, "viewer")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sink 'viewer' failed to take the input target of device 'desk':"
                        + " java.lang.IllegalStateException: no thanks");
        assertThat(p.stats().sinks()).isEmpty();
        assertThat(sink.calls()).isEmpty();
    }
}
