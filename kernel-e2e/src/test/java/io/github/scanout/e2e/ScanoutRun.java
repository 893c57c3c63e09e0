package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * {@code scanout run} of the built distribution ({@code scanout.e2e.scanout}, named by the guest
 * suite) as a child of the check, with a file sink into a fresh directory: the real-kernel checks
 * that read a running VM through the launcher use it. Everything the run prints is collected,
 * and shown whenever it does not do what the check waits for.
 */
final class ScanoutRun {
    /** How long a JVM and Felix may take to write the first frame under TCG. */
    static final long FIRST_FRAME_S = 600;

    final Process process;
    final Path out;
    private final StringBuilder log = new StringBuilder();
    private final Thread reader;

    private ScanoutRun(Process process, Path out) {
        this.process = process;
        this.out = out;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(l).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
    }

    /**
     * Starts {@code scanout run --device DEVICE --sink file:DIR --duration S --timeout 500} (the
     * timeout lengthens the wait for the device to go live: the first frame came 102 s after start under TCG) with its cache
     * and output in fresh directories under java.io.tmpdir, which is also the run's.
     */
    static ScanoutRun start(String device, int durationS) throws IOException {
        String scanout = System.getProperty("scanout.e2e.scanout");
        assertThat(scanout).as("the guest suite names the built distribution's bin/scanout").isNotNull();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path out = Files.createTempDirectory(tmp, "scanout-run");
        Path cache = Files.createTempDirectory(tmp, "scanout-cache");
        List<String> cmd = new ArrayList<>(List.of(scanout, "run", "--device", device, "--sink", "file:" + out,
                "--duration", Integer.toString(durationS), "--timeout", "500"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.environment().put("SCANOUT_LOG", "info");
        // the guest's /tmp is the host's, read-only: what the run unpacks or binds (junixsocket's
        // native library, the qemu-dbus device's peer socket) goes to the guest's tmpfs
        pb.environment().put("SCANOUT_OPTS", "-Djava.io.tmpdir=" + tmp);
        return new ScanoutRun(pb.start(), out);
    }

    String said() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Waits for the first PNG the run writes; fails with what the run said if none comes. */
    Path awaitFirstPicture() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIRST_FRAME_S);
        while (true) {
            try (var files = Files.list(out)) {
                var first = files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().findFirst();
                if (first.isPresent()) {
                    return first.get();
                }
            }
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
                reader.join(10_000);
                throw new AssertionError("scanout run wrote no frame (" + (process.isAlive() ? "still running"
                        : "exit " + process.exitValue()) + "); it said:\n" + said());
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the run to end by itself (its duration) and returns its exit status. */
    int awaitExit() throws Exception {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the run ends at its duration; it said:\n" + said())
                .isTrue();
        reader.join(10_000);
        System.out.println("scanout-e2e: scanout run said:\n" + said());
        return process.exitValue();
    }

    /** Stops a run that is still going (after a failed check). */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * How many pixels of the PNG at {@code picture} differ from the fake VMM's picture
     * ({@link BorrowKernelCheck#pixel}); fails unless it is 1024x768.
     */
    static int wrongPixels(Path picture) throws IOException {
        BufferedImage img = ImageIO.read(picture.toFile());
        assertThat(img.getWidth()).as("width of " + picture).isEqualTo(BorrowKernelCheck.W);
        assertThat(img.getHeight()).as("height of " + picture).isEqualTo(BorrowKernelCheck.H);
        int wrong = 0;
        for (int y = 0; y < BorrowKernelCheck.H; y++) {
            for (int x = 0; x < BorrowKernelCheck.W; x++) {
                if ((img.getRGB(x, y) & 0xffffff) != BorrowKernelCheck.pixel(x, y)) {
                    wrong++;
                }
            }
        }
        return wrong;
    }
}
