package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.MdevInfo;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.source.region.RegionSources;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Borrowing a running VM's vGPU on the real kernel: a small C program plays the VMM
 * ({@code kernel-e2e/vmm/fake-vmm.c}: it takes the mdpy mdev through the legacy VFIO path, paints
 * it and keeps it open), and Scanout borrows the device from it with {@code vm:PID}.
 *
 * <p>Real kernel only: the guest suite selects this class by name ({@code kernel-e2e/guest-suite},
 * run as root), and the Maven build does not run it (its name does not end in Test): the
 * borrowing logic against the simulated devices is covered by core's tests. Properties:
 * {@code scanout.e2e.vmm} (the fake VMM), {@code scanout.e2e.mdpy} (the mdev UUID).
 */
class BorrowKernelCheck {
    static final int W = 1024, H = 768, STRIDE = 4096, REGION = 16;
    static final Duration WAIT = Duration.ofSeconds(60);

    final List<Process> vmms = new ArrayList<>();

    static String uuid() {
        return System.getProperty("scanout.e2e.mdpy");
    }

    /** The pixel the fake VMM paints at (x, y): see fake-vmm.c. */
    static int pixel(int x, int y) {
        return (x & 0xff) << 16 | (y & 0xff) << 8 | ((x >> 8) * 16 + (y >> 8));
    }

    /** Starts the fake VMM on the mdpy mdev and waits for its "ready" line. */
    Process vmm(String mode, String uuid, String... prefix) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(prefix));
        cmd.addAll(List.of(System.getProperty("scanout.e2e.vmm"), mode, uuid));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        vmms.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        assertThat(line).as("the fake VMM's first line").startsWith("ready " + p.pid());
        return p;
    }

    @AfterEach
    void stopVmms() throws Exception {
        for (Process p : vmms) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static int wrongPixels(ByteBuffer fb) {
        ByteBuffer b = fb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int wrong = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if ((b.getInt(y * STRIDE + x * 4) & 0xffffff) != pixel(x, y)) {
                    wrong++;
                }
            }
        }
        return wrong;
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void borrowsTheDeviceARunningVmmHoldsAndReadsItsExactPicture() throws Exception {
        Process vmm = vmm("paint", uuid());
        Devices devices = new Devices();
        MdevInfo mdev = devices.list().stream().filter(m -> m.uuid().equals(uuid())).findFirst().orElseThrow();
        List<String> report = devices.holders(mdev);
        System.out.println("scanout-e2e: scanout devices says " + report);
        assertThat(report).containsExactly("held by process " + vmm.pid() + " (" + System.getProperty("scanout.e2e.vmm")
                + " paint " + uuid() + ")", "Scanout can borrow it: --device vm:" + uuid());
        assertThatThrownBy(() -> devices.open(uuid())).hasMessage("mdev " + uuid() + " is held by process " + vmm.pid()
                + " (" + System.getProperty("scanout.e2e.vmm") + " paint " + uuid() + "), a running VM's VMM: Scanout"
                + " does not open it directly; read it with vm:" + uuid());
        try (GfxDevice d = devices.open("vm:" + vmm.pid())) {
            PlaneInfo p = d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
            assertThat(p.width()).isEqualTo(W);
            assertThat(p.height()).isEqualTo(H);
            assertThat(p.bufferId()).isEqualTo(REGION);
            try (MappedMemory m = d.mapRegion(REGION)) {
                assertThat(wrongPixels(m.view(0, H * STRIDE))).as("wrong pixels of " + W * H).isZero();
            }
            assertThatThrownBy(d::reset).hasStackTraceContaining("Scanout only observes a borrowed device");
        }
        assertThat(vmm.isAlive()).as("the VMM runs on").isTrue();
    }

    @Test
    void whenTheVmmExitsTheDeviceIsReleasedAndItsRemoveReturnsWhileThePipelineRuns() throws Exception {
        Process vmm = vmm("paint", uuid());
        AtomicInteger frames = new AtomicInteger();
        AtomicReference<Integer> wrong = new AtomicReference<>();
        FrameSink sink = new FrameSink() {
            @Override
            public SinkNeeds needs() {
                return new SinkNeeds(true, false, Set.of(), 0);
            }

            @Override
            public void frame(Frame f) {
                if (wrong.get() == null) {
                    wrong.set(wrongPixels(f.primary().pixels()));
                }
                frames.incrementAndGet();
            }
        };
        String spec = "vm:" + vmm.pid();
        Path remove = Path.of("/sys/bus/mdev/devices", uuid(), "remove");
        try (Pipeline pipeline = Pipeline.builder(spec).open(new Devices(), spec).sources(List.of(RegionSources.create()))
                .options(PipelineOptions.defaults()).build()) {
            pipeline.attach(sink, "check");
            await("a frame", () -> frames.get() > 0);
            assertThat(wrong.get()).as("wrong pixels of the first frame").isZero();
            long t0 = System.nanoTime();
            vmm.destroyForcibly();
            vmm.waitFor(30, TimeUnit.SECONDS);
            await("the pipeline sees the VMM gone", () -> pipeline.state() == PipelineState.GONE);
            long goneMs = (System.nanoTime() - t0) / 1_000_000;
            long r0 = System.nanoTime();
            Files.writeString(remove, "1");
            long removeMs = (System.nanoTime() - r0) / 1_000_000;
            System.out.println("scanout-e2e: VMM killed; pipeline GONE after " + goneMs + " ms; mdev remove took "
                    + removeMs + " ms (" + Target.describe() + ")");
            assertThat(removeMs).as("the mdev's remove while Scanout runs (ms)").isLessThan(1000);
            assertThat(pipeline.state()).as("the pipeline runs on").isEqualTo(PipelineState.GONE);
            assertThat(pipeline.stats().reason()).contains("the VMM (PID " + vmm.pid() + ") exited");
        } finally {
            if (!Files.exists(Path.of("/sys/bus/mdev/devices", uuid()))) {
                Files.writeString(Path.of("/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-xga/create"), uuid());
            }
        }
    }

    /**
     * {@code scanout run --device vm:PID --sink file:DIR --duration N} with the built distribution
     * ({@code scanout.e2e.scanout}): it writes the exact picture, the VMM exits in the middle, and
     * the run keeps going to its duration and exits 0 since it wrote frames.
     */
    @Test
    void scanoutRunWritesTheExactPictureAndOutlivesItsVmm() throws Exception {
        Process vmm = vmm("paint", uuid());
        ScanoutRun run = ScanoutRun.start("vm:" + vmm.pid(), 40);
        try {
            Path first = run.awaitFirstPicture();
            vmm.destroyForcibly();
            vmm.waitFor(30, TimeUnit.SECONDS);
            int status = run.awaitExit();
            assertThat(status).as("exit status of scanout run\n" + run.said()).isZero();
            assertThat(run.said()).contains("the VMM (PID " + vmm.pid() + ") exited");
            assertThat(ScanoutRun.wrongPixels(first)).as("wrong pixels of " + first + " (of " + W * H + ")").isZero();
        } finally {
            run.stop();
        }
    }
}
