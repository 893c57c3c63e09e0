package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution's exit status tells the truth: the last line says what each sink
 * received and wrote; a sink that wrote nothing it was asked to (a directory nobody can create
 * files in, dma-bufs a CPU sink cannot read) makes {@code run} exit 1 with the reason in the last
 * line; {@code --frames} counts frames written and gives up after {@code --timeout} on a real
 * still screen; {@code snapshot} writes the picture of a still screen and exits 0 only when it
 * wrote the file; a read-only distribution falls back to the user's cache directory and says so.
 */
class ExitStatusIT {
    @TempDir
    static Path cache;
    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void locate() {
        script = TestRuntime.dist().resolve("bin/scanout");
        assertThat(script).isExecutable();
    }

    LauncherIT.Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.environment().putAll(env);
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        return r.await();
    }

    LauncherIT.Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void theLastLineSaysWhatEachSinkReceivedAndWrote() throws Exception {
        LauncherIT.Result r = run("run", "--device", "sim:mdpy-vga", "--sink", "file:shots?maxFps=0", "--sink",
                "file:cap.y4m?format=y4m", "--frames", "4");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("(4 frames written)")
                .containsPattern("file-1 received \\d+( \\(dropped \\d+\\))?, wrote \\d+ \\([0-9.]+ KiB\\)")
                .containsPattern("file-2 received \\d+( \\(dropped \\d+\\))?, wrote \\d+ \\([0-9.]+ [KM]iB\\)");
        assertThat(LauncherIT.files(dir.resolve("shots"))).hasSizeGreaterThanOrEqualTo(4);
        long size = Files.size(dir.resolve("cap.y4m"));
        assertThat(size).as("4 frames of 640x480 4:2:0 and a header").isGreaterThan(4L * 640 * 480 * 3 / 2);
    }

    @Test
    void aSinkThatCannotCreateItsFileFailsTheRunWithTheReasonLast() throws Exception {
        // /proc takes no new files, not even from root: a real directory nobody can write
        LauncherIT.Result r = run("run", "--device", "sim:mdpy-vga", "--sink", "file:/proc/scanout-it.y4m?format=y4m",
                "--duration", "2");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).containsPattern("file-1 received [1-9]\\d*( \\(dropped \\d+\\))?, wrote 0");
        assertThat(lastLine(r.err())).as(r.toString()).startsWith("scanout: failed: file-1 wrote none of the ")
                .contains("cannot write to /proc/scanout-it.y4m");
    }

    @Test
    void aCpuSinkThatCannotReadTheDmaBufsIsAWarningAndStatusOne() throws Exception {
        LauncherIT.Result r = run("run", "--device", "sim:mbochs?mode=1024x768&mmap=refuse", "--sink", "file:out",
                "--duration", "2", "--gl", "off");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("scanout: WARNING: sink file-1 gets no picture: dma-buf ")
                .contains("What would help: an importer").contains("the GL bundle (--gl on) on a host with a GPU");
        assertThat(lastLine(r.err())).startsWith("scanout: failed: file-1 wrote nothing: dma-buf ")
                .contains("cannot be mapped by the CPU");
        assertThat(LauncherIT.files(dir.resolve("out"))).isEmpty();
    }

    @Test
    void framesOnAStillScreenGivesUpAfterTheTimeoutWithStatusOne() throws Exception {
        LauncherIT.Result r = run("run", "--device", "sim:mdpy-vga?animate=false", "--sink", "file:shots",
                "--frames", "3", "--timeout", "2");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("(--frames 3 not reached)").containsPattern("file-1 received 1, wrote 1 ");
        assertThat(lastLine(r.err())).as(r.toString())
                .isEqualTo("scanout: failed: --frames 3 not reached: no new frame was written for 2 s (--timeout);"
                        + " file-1 wrote 1: the screen did not change (a frame is captured only when the picture"
                        + " changes; use --duration, or scanout snapshot for the picture as it is)");
        assertThat(LauncherIT.files(dir.resolve("shots"))).hasSize(1);
    }

    @Test
    void framesOnAnUnreadablePlaneGivesUpWithItsReason() throws Exception {
        LauncherIT.Result r = run("run", "--device", "sim:mbochs?mode=640x480&mmap=refuse", "--sink", "file:shots",
                "--frames", "2", "--timeout", "1.5", "--gl", "off");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(lastLine(r.err())).startsWith("scanout: failed: --frames 2 not reached: no new frame was written"
                + " for 1.500 s (--timeout); file-1 wrote 0: file-1 gets no picture: dma-buf ");
    }

    @Test
    void snapshotWritesTheStillPictureAndExitsZero() throws Exception {
        LauncherIT.Result r = run("snapshot", "--device", "sim:mdpy-vga?animate=false", "screen.png");
        assertThat(r.code()).as(r.toString()).isZero();
        Path png = dir.resolve("screen.png");
        assertThat(r.out()).contains("scanout: wrote " + png + " (");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(640);
        assertThat(img.getHeight()).isEqualTo(480);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("nothing left but the picture")
                    .containsExactly("screen.png");
        }
    }

    @Test
    void snapshotThatGetsNoPictureExitsOneAndWritesNothing() throws Exception {
        LauncherIT.Result r = run("snapshot", "--device", "sim:mbochs?mode=640x480&mmap=refuse", "--timeout", "1",
                "--gl", "off", "screen.png");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(lastLine(r.err())).startsWith("scanout: failed: --frames 1 not reached");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).as("no file, no temporary directory").isEmpty();
        }
    }

    @Test
    void snapshotIntoADirectoryNobodyCanWriteIsOneLineAndStatusOne() throws Exception {
        LauncherIT.Result r = run("snapshot", "--device", "sim:mdpy-vga", "/proc/screen.png");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("scanout: cannot write /proc/screen.png: ");
    }

    @Test
    void aReadOnlyDistributionUsesTheUsersCacheAndSaysSo() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        Path user = Files.createDirectories(dir.resolve("user"));
        List<String> cmd = new ArrayList<>();
        if (LeastPrivilegeIT.uid() == 0) {
            // root writes anywhere: run as nobody, for whom the root-owned distribution is read-only
            LeastPrivilegeIT.openPathTo(dir);
            Files.setAttribute(user, "unix:uid", LeastPrivilegeIT.NOBODY);
            Files.setAttribute(user, "unix:gid", LeastPrivilegeIT.NOBODY);
            cmd.addAll(LeastPrivilegeIT.asNobody());
        } else {
            try (Stream<Path> s = Files.walk(home)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isDirectory(p)) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
                    }
                }
            }
        }
        cmd.addAll(List.of(home.resolve("bin/scanout").toString(), "snapshot", "--device", "sim:mdpy-vga",
                user.resolve("screen.png").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(user.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("SCANOUT_CACHE");
        pb.environment().remove("XDG_CACHE_HOME");
        pb.environment().put("HOME", user.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        LauncherIT.Running running = new LauncherIT.Running(ChildProcesses.start(pb));
        running.process.getOutputStream().close();
        LauncherIT.Result r = running.await();
        try {
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.err()).contains("scanout: the distribution's cache directory " + home.resolve("cache")
                    + " cannot be written (a read-only install?); using " + user.resolve(".cache/scanout"));
            assertThat(user.resolve("screen.png")).isRegularFile();
            assertThat(home.resolve("cache")).doesNotExist();
            assertThat(user.resolve(".cache/scanout")).isDirectory();
        } finally {
            restoreWritable(home);
        }
    }

    private static void restoreWritable(Path home) throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
    }
}
