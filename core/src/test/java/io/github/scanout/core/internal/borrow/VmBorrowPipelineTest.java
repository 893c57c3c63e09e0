package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.Resources;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.vfio.VfioGfxDevice;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.RecordingSink;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vm: and libvirt: providers end to end: a child process plays the VMM and really holds an
 * fd, which is borrowed with pidfd_getfd for real; the fake /proc says that fd is the mdev's
 * device fd, and the simulated mdpy stands behind it (the adopter checks the borrowed fd is the
 * child's file, then opens the simulated device).
 */
class VmBorrowPipelineTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String UUID = "aaaaaaaa-0000-0000-0000-000000000001";

    @TempDir
    Path tmp;
    FakeHost host;
    Path heldFile;
    final SimDeviceProvider sims = new SimDeviceProvider();
    final AtomicInteger adopted = new AtomicInteger();
    final List<Child> children = new ArrayList<>();
    Devices devices;
    SimDevice sim;
    int fdsAtStart;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(tmp).mdev(UUID, 12, null);
        heldFile = Files.writeString(tmp.resolve("device-stand-in"), "x");
        sim = sims.device("sim:mdpy-xga");
        Adopter adopter = (k, fd, label) -> {
            try {
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).as("the borrowed fd is the child's")
                        .isEqualTo(heldFile);
            } catch (IOException e) {
                throw new DeviceException(e.toString());
            } finally {
                k.close(fd);
            }
            adopted.incrementAndGet();
            return sim.open(k);
        };
        Borrower b = new Borrower(LibcKernel::instance, host.scan(), adopter, host.proc, host.run);
        List<DeviceProvider> providers = new ArrayList<>(BorrowProviders.of(b));
        providers.add(sims);
        devices = new Devices(providers);
        devices.open("sim:mdpy-xga").close(); // the simulated device's memory lives from its first open on
        fdsAtStart = Resources.openFds();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Child c : children) {
            c.close();
        }
        Await.noScanoutThreads(WAIT);
    }

    Child vmm(String cmdline) throws Exception {
        Child c = Child.holding(heldFile);
        children.add(c);
        host.process(c.pid(), cmdline, Map.of(5, "/dev/vfio/vfio", 6, "/dev/vfio/12", Child.FD, ProcScan.ANON_DEVICE));
        return c;
    }

    Pipeline pipeline(String spec, PipelineOptions options) {
        return Pipeline.builder(spec).open(devices, spec).sources(List.of(new SimRegionSource())).options(options).build();
    }

    @Test
    void aVmmThatExitsMidCaptureHasItsDeviceReleasedWhileThePipelineRuns() throws Exception {
        Child vmm = vmm("qemu-system-x86_64 -name guest=vm1");
        try (Pipeline p = pipeline("vm:" + vmm.pid(), PipelineOptions.defaults().withRescan(Duration.ofMillis(100)))) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            sink.awaitFrames(5, WAIT);
            assertThat(adopted.get()).isEqualTo(1);
            assertThat(sim.liveFds()).isPositive();
            long t0 = System.nanoTime();
            vmm.kill(); // mid-capture: the guest animates and the pipeline polls
            Await.until("every fd of the borrowed device closed", WAIT, sim::liveFds, n -> n == 0);
            long releasedMs = (System.nanoTime() - t0) / 1_000_000;
            System.err.printf("borrowed device released %d ms after the VMM was killed%n", releasedMs);
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            sink.awaitNoSignals(1, WAIT);
            assertThat(p.stats().reason()).contains("the VMM (PID " + vmm.pid() + ") exited");
            Thread.sleep(400); // several rescans: vm:PID is bound to the exited process and never looks again
            assertThat(p.state()).isEqualTo(PipelineState.GONE);
            assertThat(adopted.get()).isEqualTo(1);
        }
    }

    @Test
    void vmUuidPicksTheVmUpAgainWhenAVmmHoldsTheMdevAgain() throws Exception {
        Child first = vmm("qemu-a");
        try (Pipeline p = pipeline("vm:" + UUID, PipelineOptions.defaults().withRescan(Duration.ofMillis(100)))) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            sink.awaitFrames(3, WAIT);
            first.kill();
            host.gone(first.pid());
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            Await.until("released", WAIT, sim::liveFds, n -> n == 0);
            int before = sink.frames();
            vmm("qemu-b"); // the VM restarts under a new VMM
            Await.until("captured again", WAIT, sink::frames, n -> n >= before + 3);
            assertThat(p.state()).isEqualTo(PipelineState.RUNNING);
            assertThat(adopted.get()).isEqualTo(2);
        }
    }

    @Test
    void aLibvirtDomainIsFoundThroughItsPidFile() throws Exception {
        assertThatThrownBy(() -> devices.open("libvirt:vm1")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("libvirt domain 'vm1' is not running (");
        Child vmm = vmm("qemu -name guest=vm1");
        host.libvirtPid("vm1", vmm.pid());
        try (GfxDevice d = devices.open("libvirt:vm1")) {
            assertThat(d.name()).isEqualTo("libvirt:vm1");
        }
        Await.until("released", WAIT, sim::liveFds, n -> n == 0);
    }

    @Test
    void observerModeRefusesResetWritesAndWritableMappings() throws Exception {
        Child vmm = vmm("qemu");
        try (GfxDevice d = devices.open("vm:" + vmm.pid())) {
            assertThatThrownBy(d::reset).hasMessage("VFIO_DEVICE_RESET on vm:" + vmm.pid() + ": EPERM").hasStackTraceContaining("VFIO_DEVICE_RESET refused on mdev " + UUID
                    + " borrowed from the VMM " + vmm.pid() + " (qemu): Scanout only observes a borrowed device");
            assertThatThrownBy(() -> d.writeRegion(0, 0, ByteBuffer.allocate(4)))
                    .hasStackTraceContaining("a region write refused on mdev").hasStackTraceContaining("?edid=write");
            assertThatThrownBy(() -> ((VfioGfxDevice) d).mapRegionReadWrite(0))
                    .hasStackTraceContaining("a writable mapping refused on mdev");
            d.mapRegion(0).close(); // read-only mappings are fine
        }
        try (GfxDevice d = devices.open("vm:" + vmm.pid() + "?edid=write")) {
            d.writeRegion(0, 0, ByteBuffer.allocate(4));
        }
    }

    @Test
    void displayOnRefusesDmaBufsUnlessAllowed() throws Exception {
        Child vmm = vmm("qemu -device vfio-pci-nohotplug,sysfsdev=/sys/bus/mdev/devices/" + UUID + ",display=on");
        DeviceProvider vm = BorrowProviders.of(new Borrower(LibcKernel::instance, host.scan(),
                (k, fd, label) -> {
                    k.close(fd);
                    return sim.open(k);
                }, host.proc, host.run)).get(0);
        OpenDevice od = vm.resolve("vm:" + vmm.pid()).open(LibcKernel.instance());
        try {
            assertThatThrownBy(() -> od.kernel().ioctl(od.fd(), io.github.scanout.api.kernel.Vfio.DEVICE_GET_GFX_DMABUF,
                    ByteBuffer.allocate(4))).hasStackTraceContaining("shows this vGPU itself (display=on)");
        } finally {
            od.kernel().close(od.fd());
        }
    }

    @Test
    void refusalsNameTheirCause() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        done.getOutputStream().close();
        done.getInputStream().close();
        done.getErrorStream().close();
        assertThatThrownBy(() -> devices.open("vm:" + done.pid())).hasMessage("no such process " + done.pid()
                + ": ESRCH");
        Child notVmm = Child.holding(heldFile);
        children.add(notVmm);
        host.process(notVmm.pid(), "bash", Map.of(0, "/dev/pts/0"));
        assertThatThrownBy(() -> devices.open("vm:" + notVmm.pid())).hasMessage("process " + notVmm.pid()
                + " (bash) holds no VFIO mdev: it is not a VMM, or its VM has no vGPU");
        assertThatThrownBy(() -> devices.open("vm:bbbbbbbb-0000-0000-0000-000000000009"))
                .hasMessageStartingWith("no mdev bbbbbbbb-0000-0000-0000-000000000009 on this host");
        assertThatThrownBy(() -> devices.open("vm:" + UUID)).hasMessageStartingWith("no process holds mdev " + UUID)
                .satisfies(e -> assertThat(((DeviceException) e).isTransient()).isTrue());
        assertThatThrownBy(() -> devices.open("vm:12x")).hasMessageContaining("is not a vm: spec");
        assertThatThrownBy(() -> devices.open("vm:1?frob")).hasMessageContaining("unknown option 'frob'");
        assertThatThrownBy(() -> devices.open("fd:1")).hasMessageContaining("is not an fd: spec");
        assertThatThrownBy(() -> devices.open("libvirt:bad name")).hasMessageContaining("is not a libvirt: spec");
    }
}
