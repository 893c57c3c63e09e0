package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.Resources;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.FakeScreen;
import io.github.scanout.core.testing.RecordingSink;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.sim.SimDeviceProvider;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device component driven as SCR drives it: constructor, bind methods, activate with a
 * configuration, dynamic binds and unbinds, deactivate. (In-framework tests with Felix belong to
 * the runtime module.)
 */
class DeviceComponentTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    final SimDeviceProvider sim = new SimDeviceProvider();
    final List<DeviceComponent> components = new ArrayList<>();
    final JulCapture logs = new JulCapture("io.github.scanout");
    int fdsAtStart;
    Map<Integer, String> fdSnapshotAtStart;
    long leasesAtStart;
    long nextServiceId = 1;

    @BeforeEach
    void start() throws Exception {
        Await.noScanoutThreads(WAIT);
        // the simulated devices keep their memory in memfds from their first open on
        for (String spec : List.of("sim:mdpy-vga", "sim:mdpy-xga")) {
            new io.github.scanout.core.Devices(List.of(sim)).open(spec).close();
        }
        fdsAtStart = Resources.openFds();
        fdSnapshotAtStart = Resources.fdSnapshot();
        leasesAtStart = Leases.live();
    }

    @AfterEach
    void stop() {
        for (DeviceComponent c : components) {
            c.deactivate();
        }
        logs.close();
        Await.noScanoutThreads(WAIT);
        Await.until("leases back", WAIT, Leases::live, n -> n == leasesAtStart);
        Await.until("fds back (opened since the start: " + Resources.fdsOpenedSince(fdSnapshotAtStart) + ")", WAIT,
                Resources::openFds, n -> n == fdsAtStart);
    }

    DeviceComponent component() {
        DeviceComponent c = new DeviceComponent();
        components.add(c);
        return c;
    }

    /** Activates {@code c} with a configuration's values and the framework's properties. */
    static void activate(DeviceComponent c, Map<String, ?> values, Map<String, ?> framework) {
        c.activate(merge(values, framework));
    }

    /** A configuration's properties as ConfigAdmin hands them to the component: its values and the framework's. */
    static Map<String, Object> merge(Map<String, ?> values, Map<String, ?> framework) {
        Map<String, Object> m = new HashMap<>(values);
        m.putAll(framework);
        return m;
    }

    Map<String, Object> sinkProps(String device, String pid) {
        Map<String, Object> m = new HashMap<>();
        if (device != null) {
            m.put("device", device);
        }
        m.put("service.pid", pid);
        m.put("service.id", nextServiceId++);
        m.put("component.name", "test.sink");
        return m;
    }

    static Map<String, Object> props(String pid) {
        return Map.of("service.pid", pid);
    }

    @Test
    void attachesTheSinksThatNameThisDeviceAndOnlyThose() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        c.addSource(new SimRegionSource());
        RecordingSink early = RecordingSink.cpu();
        RecordingSink elsewhere = RecordingSink.cpu();
        c.addSink(early, sinkProps("sim:mdpy-xga", "sink.file~early"));
        c.addSink(elsewhere, sinkProps("sim:mdpy-vga", "sink.file~elsewhere"));
        activate(c, Map.of("spec", "sim:mdpy-xga"), props("io.github.scanout.device~xga"));
        early.awaitFrames(1, WAIT);
        assertThat(early.thread()).isEqualTo("scanout-sink-sink.file~early");

        RecordingSink late = RecordingSink.any();
        c.addSink(late, sinkProps("sim:mdpy-xga", "sink.gl~late"));
        late.awaitFrames(1, WAIT);
        assertThat(c.name()).isEqualTo("sim:mdpy-xga");
        assertThat(c.spec()).isEqualTo("sim:mdpy-xga");
        assertThat(c.state()).isEqualTo(PipelineState.RUNNING);
        assertThat(c.sinks()).extracting(s -> s.name()).containsExactly("sink.file~early", "sink.gl~late");
        assertThat(elsewhere.frames() + elsewhere.noSignals().size()).isZero();

        c.removeSink(late);
        assertThat(late.detachedCalls()).isEqualTo(1);
        assertThat(c.sinks()).hasSize(1);
    }

    @Test
    void aSinkWhosePropertiesChangeIsMatchedAgain() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        c.addSource(new SimRegionSource());
        activate(c, Map.of("spec", "sim:mdpy-vga", "name", "desk"), props("io.github.scanout.device~desk"));
        RecordingSink s = RecordingSink.any();
        Map<String, Object> p = sinkProps("desk", "sink~s");
        c.addSink(s, p);
        s.awaitFrames(1, WAIT);
        Map<String, Object> moved = new HashMap<>(p);
        moved.put("device", "other");
        c.updatedSink(s, moved);
        assertThat(s.detachedCalls()).isEqualTo(1);
        assertThat(c.sinks()).isEmpty();
        c.updatedSink(s, p);
        Await.until("attached again", WAIT, () -> c.sinks().size() == 1);
    }

    /** Activates a component with a malformed configuration and returns the one line it logged. */
    String refused(Map<String, ?> values) {
        int before = logs.lines().size();
        DeviceComponent c = component();
        c.addProvider(sim);
        activate(c, values, props("io.github.scanout.device~bad"));
        assertThat(c.state()).isEqualTo(PipelineState.FAILED);
        List<String> logged = logs.lines().subList(before, logs.lines().size());
        assertThat(logged).hasSize(1);
        assertThat(c.stats().reason()).isEqualTo(logged.get(0).substring("SEVERE ".length()));
        assertThatThrownBy(() -> c.attach(RecordingSink.any(), "x")).isInstanceOf(IllegalStateException.class)
                .hasMessage(c.stats().reason());
        return logged.get(0);
    }

    @Test
    void malformedConfigurationsAreOneLineNamingTheConfigurationAndKeyAndShowAsFailed() {
        assertThat(refused(Map.of())).isEqualTo("SEVERE configuration io.github.scanout.device~bad: spec is missing;"
                + " expected a value that is not blank (The device: an mdev UUID, its sysfs path"
                + " /sys/bus/mdev/devices/<uuid>, or scheme:... such as sim:mbochs?mode=1024x768.)");
        assertThat(refused(Map.of("spec", "sim:mbochs", "rate", "fast"))).isEqualTo("SEVERE configuration"
                + " io.github.scanout.device~bad: rate = 'fast' is refused: expected a number from 0.1 to 1000");
        assertThat(refused(Map.of("spec", "sim:mbochs", "rate", "0"))).isEqualTo("SEVERE configuration"
                + " io.github.scanout.device~bad: rate = '0' is refused: expected a number from 0.1 to 1000");
        assertThat(refused(Map.of("spec", "sim:mbochs", "rate", -5))).contains("rate = '-5' is refused");
        assertThat(refused(Map.of("spec", "sim:mbochs", "buffer.type", "dma buf"))).isEqualTo("SEVERE configuration"
                + " io.github.scanout.device~bad: buffer.type = 'dma buf' is refused: expected a buffer type name such"
                + " as dmabuf or region");
        assertThat(refused(Map.of("spec", "sim:mbochs", "queue.depth", "0"))).isEqualTo("SEVERE configuration"
                + " io.github.scanout.device~bad: queue.depth = '0' is refused: expected a whole number from 1 to 64");
        assertThat(refused(Map.of("spec", "sim:mbochs", "queue.depth", "99999999999999999999"))).isEqualTo("SEVERE"
                + " configuration io.github.scanout.device~bad: queue.depth = '99999999999999999999' is refused: expected"
                + " a whole number from 1 to 64");
        DeviceComponent named = component();
        activate(named, Map.of("spec", "sim:mbochs", "name", "desk", "stall.timeout.ms", "soon"),
                props("io.github.scanout.device~bad"));
        assertThat(named.name()).isEqualTo("desk");
        assertThat(named.spec()).isEqualTo("sim:mbochs");
        assertThat(named.stats().reason()).contains("stall.timeout.ms = 'soon' is refused");
        assertThat(Await.scanoutThreads()).isEmpty();
    }

    @Test
    void aSinksTargetThatIsNoFilterIsRefusedNamingTheConfigurationRatherThanBindingNoSink() {
        assertThat(refused(Map.of("spec", "sim:mdpy-vga", "sinks.target", "((((("))).startsWith("SEVERE configuration"
                + " io.github.scanout.device~bad: sinks.target = '(((((' is refused: expected an LDAP filter such as"
                + " (device=*)");
    }

    @Test
    void aSecondDeviceWithANameAlreadyTakenIsRefusedNamingBothConfigurationsAndTheFirstRunsOn() throws Exception {
        DeviceComponent first = component();
        first.addProvider(sim);
        first.addSource(new SimRegionSource());
        activate(first, Map.of("spec", "sim:mdpy-vga", "name", "desk"), props("io.github.scanout.device~one"));
        DeviceComponent second = component();
        second.addProvider(sim);
        activate(second, Map.of("spec", "sim:mdpy-xga", "name", "desk"), props("io.github.scanout.device~two"));
        assertThat(second.state()).isEqualTo(PipelineState.FAILED);
        assertThat(logs.matching("already names")).containsExactly("SEVERE configuration io.github.scanout.device~two:"
                + " name = 'desk' is refused: configuration io.github.scanout.device~one already names a device so (each"
                + " device needs a name of its own; this one does not start)");
        RecordingSink s = RecordingSink.any();
        first.addSink(s, sinkProps("desk", "sink~s"));
        s.awaitFrames(1, WAIT);
        assertThat(first.spec()).isEqualTo("sim:mdpy-vga");
        // once the first is gone, the name is free again
        first.deactivate();
        components.remove(first);
        DeviceComponent third = component();
        third.addProvider(sim);
        activate(third, Map.of("spec", "sim:mdpy-xga", "name", "desk"), props("io.github.scanout.device~three"));
        assertThat(third.state()).isNotEqualTo(PipelineState.FAILED);
    }

    @Test
    void anUnknownKeyIsOneWarningNamingItAndTheKnownKeysAndTheDeviceRunsAnyway() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        c.addSource(new SimRegionSource());
        Map<String, Object> p = new HashMap<>(props("io.github.scanout.device~desk"));
        p.put("felix.fileinstall.filename", "file:/etc/scanout/conf/io.github.scanout.device-desk.cfg");
        p.put("rates", "30");
        p.put("spec", "sim:mdpy-vga");
        p.put("component.id", 7L);
        p.put("providers.target", "(scanout.scheme=sim)");
        activate(c, Map.of("spec", "sim:mdpy-vga"), p);
        assertThat(logs.matching("unknown key")).containsExactly("WARNING configuration io.github.scanout.device~desk"
                + " (file:/etc/scanout/conf/io.github.scanout.device-desk.cfg): unknown key 'rates' is ignored; the keys"
                + " are spec, name, rate, buffer.type, queue.depth, idle.ms, stall.timeout.ms, opaque.refresh.ms, rescan.ms,"
                + " sinks.target");
        Await.until("running", WAIT, c::state, st -> st == PipelineState.RUNNING);
        assertThat(logs.lines()).noneMatch(l -> l.contains("providers.target") || l.contains("component.id"));
    }

    @Test
    void aDeviceThatCannotBeOpenedIsOneLineAndTheOthersRunOn() throws Exception {
        DeviceComponent broken = component();
        broken.addSource(new SimRegionSource());
        activate(broken, Map.of("spec", "sim:mdpy-vga", "name", "left"), props("io.github.scanout.device~left"));
        DeviceComponent good = component();
        good.addProvider(sim);
        good.addSource(new SimRegionSource());
        RecordingSink sink = RecordingSink.any();
        good.addSink(sink, sinkProps("right", "s~right"));
        activate(good, Map.of("spec", "sim:mdpy-xga", "name", "right"), props("io.github.scanout.device~right"));

        Await.until("left failed", WAIT, broken::state, s -> s == PipelineState.FAILED);
        sink.awaitFrames(1, WAIT);
        Thread.sleep(100);
        assertThat(logs.matching("cannot open")).containsExactly("WARNING device 'left' (configuration"
                + " io.github.scanout.device~left): cannot open sim:mdpy-vga: no device provider for scheme 'sim' in"
                + " 'sim:mdpy-vga' (known schemes: vm, libvirt, fd; is a provider such as scanout-sim on the class path?); nothing"
                + " is polled until the configuration changes or the pipeline is reopened");
        assertThat(good.state()).isEqualTo(PipelineState.RUNNING);

        // the provider's bundle starts late: the failed device is opened again
        broken.addProvider(sim);
        Await.until("left running", WAIT, broken::state, s -> s == PipelineState.RUNNING);
    }

    @Test
    void removingThePlaneSourceInUseReturnsOnlyWhenItIsNoLongerUsed() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        FakePlaneSource fake = new FakePlaneSource(BufferType.DMABUF, 200, new FakeScreen(BufferType.DMABUF, 64, 48));
        fake.screen().newBufferEveryAcquire(true);
        c.addSource(fake);
        RecordingSink s = RecordingSink.any();
        c.addSink(s, sinkProps("sim:mdpy-vga", "s~1"));
        activate(c, Map.of("spec", "sim:mdpy-vga"), props("io.github.scanout.device~1"));
        s.awaitFrames(3, WAIT);
        c.removeSource(fake);
        assertThat(fake.openSessions.get()).isZero();
        Await.until("no source", WAIT, c::state, st -> st == PipelineState.NO_SOURCE);
        c.addSource(new SimRegionSource());
        Await.until("running on region", WAIT, c::state, st -> st == PipelineState.RUNNING);
        assertThat(c.stats().source()).isEqualTo("region");
        Await.until("fake buffers released", WAIT, () -> fake.screen().liveBuffers() == 0);
    }

    @Test
    void importersAreTriedInServiceRankingOrder() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        FakePlaneSource fake = new FakePlaneSource(BufferType.DMABUF, 200, new FakeScreen(BufferType.DMABUF, 64, 48));
        fake.screen().opaque(true);
        c.addSource(fake);
        AtomicInteger low = new AtomicInteger();
        AtomicInteger high = new AtomicInteger();
        c.addImporter(importer(low), Map.of("service.ranking", 0, "service.id", 1L));
        c.addImporter(importer(high), Map.of("service.ranking", 10, "service.id", 2L));
        RecordingSink file = RecordingSink.cpu();
        c.addSink(file, sinkProps("sim:mdpy-vga", "file~1"));
        activate(c, Map.of("spec", "sim:mdpy-vga"), props("io.github.scanout.device~1"));
        file.awaitFrames(1, WAIT);
        assertThat(high.get()).isEqualTo(1);
        assertThat(low.get()).isZero();
        assertThat(file.memories()).containsExactly(MemoryKind.SNAPSHOT);
    }

    static BufferImporter importer(AtomicInteger count) {
        return new BufferImporter() {
            @Override
            public boolean canImport(PlaneBuffer buffer) {
                return true;
            }

            @Override
            public PlaneBuffer importToCpu(PlaneBuffer buffer) {
                count.incrementAndGet();
                return PlaneBuffer.create(buffer.info(), MemoryKind.SNAPSHOT,
                        ByteBuffer.allocate(Math.toIntExact(buffer.info().requiredBytes())), null, null);
            }
        };
    }

    @Test
    void deactivationDetachesEveryoneAndReleasesTheDevice() throws Exception {
        DeviceComponent c = component();
        c.addProvider(sim);
        c.addSource(new SimRegionSource());
        RecordingSink s = RecordingSink.cpu();
        c.addSink(s, sinkProps("sim:mdpy-xga", "s~1"));
        activate(c, Map.of("spec", "sim:mdpy-xga", "rate", "30", "queue.depth", "4"),
                props("io.github.scanout.device~1"));
        s.awaitFrames(2, WAIT);
        assertThat(Resources.openFds()).isGreaterThan(fdsAtStart);
        c.deactivate();
        components.remove(c);
        assertThat(s.detachedCalls()).isEqualTo(1);
        assertThat(c.state()).isEqualTo(PipelineState.CLOSED);
        Await.until("fds back", WAIT, Resources::openFds, n -> n == fdsAtStart);
    }

    /** The pidfds this process has open. */
    static long pidfds() {
        return Resources.fdSnapshot().values().stream().filter(t -> t.equals("anon_inode:[pidfd]")).count();
    }

    @Test
    void aVmPidDeviceIsBoundThroughOnePidfdHoweverOftenItIsReopened() throws Exception {
        // a process that is no VMM (this one): every open of vm:PID fails after binding, and is tried again on each
        // reopen; no child process, whose pipes the JDK would close at some later moment and upset the fd counts
        long self = ProcessHandle.current().pid();
        // under Surefire the first borrowing attempt leaves a socket open for the JVM's life: attempt once first
        DeviceComponent first = new DeviceComponent();
        activate(first, Map.of("spec", "vm:" + self), props("io.github.scanout.device~first"));
        Await.until("failed", WAIT, first::state, st -> st == PipelineState.FAILED);
        first.deactivate();
        fdsAtStart = Resources.openFds();
        fdSnapshotAtStart = Resources.fdSnapshot();
        long pidfdsAtStart = pidfds();
        DeviceComponent c = component();
        c.addSource(new SimRegionSource());
        activate(c, Map.of("spec", "vm:" + self), props("io.github.scanout.device~vm"));
        Await.until("failed", WAIT, c::state, st -> st == PipelineState.FAILED);
        assertThat(c.stats().reason()).contains("process " + self + " (").contains("holds no VFIO mdev");
        int reopens = 20;
        for (int i = 1; i <= reopens; i++) {
            c.reopen();
            int n = i;
            Await.until("reopen " + i + " done", WAIT, () -> logs.matching("reopening the device").size(), k -> k >= n);
            Await.until("failed again", WAIT, c::state, st -> st == PipelineState.FAILED);
        }
        assertThat(pidfds() - pidfdsAtStart).as("pidfds after " + reopens + " reopens").isEqualTo(1);
        c.deactivate();
        components.remove(c);
        assertThat(pidfds()).as("pidfds after deactivation").isEqualTo(pidfdsAtStart);
    }

    /** A counting sink that forwards input: the component wraps it (SinceAttach), which must pass the target on. */
    static final class InputSink implements io.github.scanout.api.sink.FrameSink, io.github.scanout.api.sink.CountsOutput,
            io.github.scanout.api.input.InputForwarder {
        final List<java.util.Optional<io.github.scanout.api.input.InputTarget>> targets =
                new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public io.github.scanout.api.sink.SinkNeeds needs() {
            return io.github.scanout.api.sink.SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(io.github.scanout.api.sink.Frame frame) {}

        @Override
        public io.github.scanout.api.sink.SinkOutput output() {
            return io.github.scanout.api.sink.SinkOutput.NONE;
        }

        @Override
        public void inputTarget(java.util.Optional<io.github.scanout.api.input.InputTarget> target) {
            targets.add(target);
        }
    }

    @Test
    void aConfiguredSinkThatForwardsInputGetsItsDevicesTargetAndASimulatedDeviceHasNone() throws Exception {
        io.github.scanout.api.input.InputTarget target = new io.github.scanout.api.input.InputTarget() {
            @Override
            public void key(int keysym, boolean down) {}

            @Override
            public void pointer(int x, int y, int buttons) {}
        };
        io.github.scanout.api.kernel.DeviceEndpoint vga = sim.resolve("sim:mdpy-vga");
        io.github.scanout.api.kernel.DeviceProvider kvm = new io.github.scanout.api.kernel.DeviceProvider() {
            @Override
            public String scheme() {
                return "kvm";
            }

            @Override
            public io.github.scanout.api.kernel.DeviceEndpoint resolve(String spec) {
                return new io.github.scanout.api.kernel.DeviceEndpoint() {
                    @Override
                    public String name() {
                        return vga.name();
                    }

                    @Override
                    public OpenDevice open(io.github.scanout.api.kernel.Kernel host)
                            throws io.github.scanout.api.DeviceException {
                        return vga.open(host);
                    }

                    @Override
                    public java.util.Optional<io.github.scanout.api.input.InputTarget> input() {
                        return java.util.Optional.of(target);
                    }
                };
            }
        };
        DeviceComponent c = component();
        c.addProvider(kvm);
        c.addSource(new SimRegionSource());
        InputSink forwarding = new InputSink();
        c.addSink(forwarding, sinkProps("kvm:desk", "sink.vnc~desk"));
        activate(c, Map.of("spec", "kvm:desk"), props("io.github.scanout.device~desk"));
        Await.until("the sink attached", WAIT, () -> !forwarding.targets.isEmpty());
        assertThat(forwarding.targets).containsExactly(java.util.Optional.of(target));

        DeviceComponent plain = component();
        plain.addProvider(sim);
        plain.addSource(new SimRegionSource());
        InputSink viewOnly = new InputSink();
        plain.addSink(viewOnly, sinkProps("sim:mdpy-xga", "sink.vnc~xga"));
        activate(plain, Map.of("spec", "sim:mdpy-xga"), props("io.github.scanout.device~xga"));
        Await.until("the sink attached", WAIT, () -> !viewOnly.targets.isEmpty());
        assertThat(viewOnly.targets).containsExactly(java.util.Optional.empty());
    }
}
