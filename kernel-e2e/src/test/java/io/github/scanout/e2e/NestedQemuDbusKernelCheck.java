package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The other way into a running VM, on the real mdpy, on demand only ({@code kernel-e2e/run
 * --nested}, never in CI: TCG inside TCG): the nested QEMU of {@link NestedQemuKernelCheck} holds
 * the mdpy mdev with {@code display=on}, so QEMU itself reads the plane
 * ({@code VFIO_DEVICE_QUERY_GFX_PLANE}, region) and shows it as its only console
 * ({@code -vga none}; plain {@code vfio-pci} has no ramfb property, only
 * {@code vfio-pci-nohotplug} has), through {@code -display dbus,p2p=yes} with a QMP socket, as
 * root and with no session bus. The nested guest's {@code mdpy-fb} paints the fake VMM's picture;
 * then {@code scanout run --device qemu-dbus:qmp:SOCK} of the built distribution writes that
 * exact picture (every pixel of the first 1024 x 768 frame and of the last) and exits 0 at its
 * duration. Properties: those of {@link NestedQemuKernelCheck}. Not run by Maven (see
 * {@link BorrowKernelCheck}).
 */
class NestedQemuDbusKernelCheck {
    @Test
    void scanoutRunReadsTheExactPictureQemuShowsOfAnMdpyWithDisplayOnThroughItsDbusDisplay() throws Exception {
        String uuid = BorrowKernelCheck.uuid();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path serial = Files.createTempFile(tmp, "nested-dbus", ".log");
        Path qmp = Files.createTempDirectory(tmp, "nested-qmp").resolve("qmp.sock");
        long t0 = System.nanoTime();
        Process qemu = NestedQemuKernelCheck.startNested(uuid, serial, "display=on",
                List.of("-vga", "none", "-display", "dbus,p2p=yes", "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        ScanoutRun run = null;
        try {
            NestedQemuKernelCheck.awaitPainted(qemu, serial, t0);

            run = ScanoutRun.start("qemu-dbus:qmp:" + qmp, 60);
            run.awaitFirstPicture();
            // QEMU's console shows its own placeholder until its first refresh with a listener
            // reads the mdev's plane: wait for the mdev's size
            // (looked at twice a second: decoding PNGs is slow under TCG inside TCG)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ScanoutRun.FIRST_FRAME_S);
            while (fullSize(run.out).isEmpty() && run.process.isAlive() && System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
            }
            List<Path> pngs = pngs(run.out);
            for (Path p : pngs) {
                BufferedImage img = ImageIO.read(p.toFile());
                System.out.println("scanout-e2e: " + p.getFileName() + " " + img.getWidth() + " x " + img.getHeight());
            }
            List<Path> full = fullSize(run.out);
            assertThat(full).as("1024 x 768 frames written; scanout run said:\n" + run.said()).isNotEmpty();
            Path first = full.get(0);
            assertThat(ScanoutRun.wrongPixels(first)).as("wrong pixels of " + first + " (of "
                    + BorrowKernelCheck.W * BorrowKernelCheck.H + ")").isZero();
            assertThat(run.awaitExit()).as("exit status of scanout run\n" + run.said()).isZero();
            assertThat(qemu.isAlive()).as("the nested QEMU runs on").isTrue();
            List<Path> all = fullSize(run.out);
            Path last = all.get(all.size() - 1);
            System.out.println("scanout-e2e: " + pngs(run.out).size() + " frames, " + all.size() + " of them 1024 x 768; "
                    + "first full-size " + first.getFileName() + ", last " + last.getFileName());
            assertThat(ScanoutRun.wrongPixels(last)).as("wrong pixels of " + last).isZero();
            System.out.println("scanout-e2e: the picture through QEMU's D-Bus display, " + (System.nanoTime() - t0)
                    / 1_000_000_000 + " s after the nested QEMU started");
        } finally {
            if (run != null) {
                run.stop();
            }
            qemu.destroy();
            if (!qemu.waitFor(120, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The PNGs written so far, in order. */
    private static List<Path> pngs(Path out) {
        try (var files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The PNGs of the mdev's size (1024 x 768) written so far, in order. */
    private static List<Path> fullSize(Path out) {
        List<Path> full = new ArrayList<>();
        for (Path p : pngs(out)) {
            try {
                BufferedImage img = ImageIO.read(p.toFile());
                if (img != null && img.getWidth() == BorrowKernelCheck.W && img.getHeight() == BorrowKernelCheck.H) {
                    full.add(p);
                }
            } catch (java.io.IOException e) {
                // still being written: seen again at the next look
            }
        }
        return full;
    }
}
