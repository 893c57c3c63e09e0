package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.Devices;
import io.github.scanout.core.MdevInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The full story, on demand only ({@code kernel-e2e/run --nested}, never in CI: TCG inside TCG):
 * a real QEMU in the test guest runs a nested VM with the mdpy mdev as
 * {@code -device vfio-pci,sysfsdev=...,display=off}, booting the same guest kernel with a tiny
 * initramfs ({@code kernel-e2e/nested-init}) whose kernel's own {@code mdpy-fb} driver paints
 * the fake VMM's picture into {@code /dev/fb0}; then {@code scanout run --device vm:<qemu pid>}
 * writes that exact picture; QEMU stops, the mdev's {@code remove} returns within a second while
 * the run goes on, and the run exits 0 at its duration.
 * Properties: {@code scanout.e2e.nested.kernel}, {@code scanout.e2e.nested.initrd},
 * {@code scanout.e2e.mdpy}, {@code scanout.e2e.scanout}. Not run by Maven (see
 * {@link BorrowKernelCheck}).
 */
class NestedQemuKernelCheck {
    /** The nested guest's boot and paint under TCG inside TCG: minutes. */
    static final long BOOT_S = 2400;

    @Test
    void scanoutRunReadsTheExactPictureANestedGuestPaintsWithMdpyFb() throws Exception {
        String uuid = BorrowKernelCheck.uuid();
        Path serial = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "nested", ".log");
        long t0 = System.nanoTime();
        Process qemu = startNested(uuid, serial, "display=off", List.of("-display", "none"));
        ScanoutRun run = null;
        try {
            awaitPainted(qemu, serial, t0);

            Devices devices = new Devices();
            MdevInfo mdev = devices.list().stream().filter(m -> m.uuid().equals(uuid)).findFirst().orElseThrow();
            List<String> report = devices.holders(mdev);
            System.out.println("scanout-e2e: scanout devices says " + report);
            assertThat(report).hasSize(2);
            assertThat(report.get(0)).startsWith("held by process " + qemu.pid() + " (").contains("qemu-system-x86_64");
            assertThat(report.get(1)).isEqualTo("Scanout can borrow it: --device vm:" + uuid);

            run = ScanoutRun.start("vm:" + qemu.pid(), 30);
            Path first = run.awaitFirstPicture();
            qemu.destroy(); // SIGTERM: QEMU shuts the VM down and exits
            assertThat(qemu.waitFor(120, TimeUnit.SECONDS)).as("QEMU exits on SIGTERM").isTrue();
            // the host tears the VM down while Scanout still runs: the mdev's remove must not wait for it
            String exited = "the VMM (PID " + qemu.pid() + ") exited";
            ScanoutRun r = run;
            BorrowKernelCheck.await("scanout run to say " + exited, () -> r.said().contains(exited));
            long r0 = System.nanoTime();
            Files.writeString(Path.of("/sys/bus/mdev/devices", uuid, "remove"), "1");
            long removeMs = (System.nanoTime() - r0) / 1_000_000;
            System.out.println("scanout-e2e: QEMU exited; the mdev's remove took " + removeMs + " ms");
            assertThat(removeMs).as("the mdev's remove while scanout run runs (ms)").isLessThan(1000);
            assertThat(run.process.isAlive()).as("scanout run runs on to its duration").isTrue();
            assertThat(run.awaitExit()).as("exit status of scanout run\n" + run.said()).isZero();
            assertThat(run.said()).contains("the VMM (PID " + qemu.pid() + ") exited");
            assertThat(ScanoutRun.wrongPixels(first)).as("wrong pixels of " + first + " (of "
                    + BorrowKernelCheck.W * BorrowKernelCheck.H + ")").isZero();
        } finally {
            if (run != null) {
                run.stop();
            }
            qemu.destroyForcibly();
            qemu.waitFor(60, TimeUnit.SECONDS);
            if (!Files.exists(Path.of("/sys/bus/mdev/devices", uuid))) {
                Files.writeString(Path.of("/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-xga/create"), uuid);
            }
        }
    }

    /**
     * Starts the nested QEMU: the guest kernel and {@code nested-init} on the mdpy mdev
     * {@code uuid} as {@code -device vfio-pci,sysfsdev=...,VFIO}, with QEMU's {@code display}
     * options, its guest's console in {@code serial}.
     */
    static Process startNested(String uuid, Path serial, String vfio, List<String> display) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg,tb-size=64", "-cpu", "max",
                "-m", "160M", "-machine", "pc", "-nodefaults"));
        cmd.addAll(display);
        cmd.addAll(List.of("-no-reboot", "-serial", "file:" + serial,
                "-kernel", BorrowHelperKernelCheck.property("scanout.e2e.nested.kernel"),
                "-initrd", BorrowHelperKernelCheck.property("scanout.e2e.nested.initrd"),
                "-append", "console=ttyS0 panic=-1",
                "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + uuid + "," + vfio));
        System.out.println("scanout-e2e: nested VMM: " + String.join(" ", cmd));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Waits up to {@link #BOOT_S} for the nested guest to say it painted, showing its console on
     * the outer guest's as it comes; fails when it reports a failure or QEMU exits.
     */
    static void awaitPainted(Process qemu, Path serial, long t0) throws IOException, InterruptedException {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(BOOT_S);
        String console = "";
        int shown = 0;
        while (!console.contains("scanout-nested: painted")) {
            console = Files.readString(serial, StandardCharsets.ISO_8859_1);
            int end = console.lastIndexOf('\n') + 1;
            if (end > shown) { // the nested boot's progress, on the outer guest's console as it comes
                for (String l : console.substring(shown, end).split("\n")) {
                    System.out.println("scanout-e2e: nested +" + (System.nanoTime() - t0) / 1_000_000_000 + " s: " + l);
                }
                shown = end;
            }
            assertThat(console).as("the nested guest's console").doesNotContain("scanout-nested: FAILED");
            assertThat(qemu.isAlive()).as("the nested QEMU runs; its guest said:\n" + console).isTrue();
            assertThat(System.nanoTime() - deadline).as("waiting for the nested guest to paint; it said:\n"
                    + console).isNegative();
            Thread.sleep(500);
        }
        System.out.println("scanout-e2e: the nested guest painted after " + (System.nanoTime() - t0) / 1_000_000_000
                + " s");
    }
}
