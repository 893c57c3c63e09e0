package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution with a video sink ({@code bundles/video/}, GStreamer from the system): the
 * launcher records a still simulated device next to a file sink; ffmpeg decodes the recording
 * within PSNR 35 dB of the file sink's PNG; and a launcher killed with SIGKILL mid-recording
 * leaves an MP4 that ffprobe reads.
 */
class VideoSinkIT {
    @TempDir
    static Path cache;
    @TempDir
    Path dir;

    private LauncherIT.Running start(String... sinks) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestRuntime.dist().resolve("bin/scanout").toString(), "run",
                "--device", "sim:mdpy-vga?animate=false"));
        for (String s : sinks) {
            cmd.add("--sink");
            cmd.add(s);
        }
        cmd.addAll(List.of("--duration", "600"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        // no class-data dump: then bin/scanout execs Java, so that SIGKILL reaches the JVM itself
        pb.environment().put("SCANOUT_CDS", "off");
        return new LauncherIT.Running(pb.start());
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return "status=" + p.exitValue() + "\n" + out;
    }

    private static int frames(Path video) throws Exception {
        String out = run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames", "-of", "default=nw=1:nk=1", video.toString()));
        Matcher m = Pattern.compile("(?m)^(\\d+)$").matcher(out);
        return out.startsWith("status=0") && m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static void await(LauncherIT.Running r, String what, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.call()) {
            if (!r.process.isAlive()) {
                fail("scanout exited while waiting for " + what + "; stdout: " + r.out() + " stderr: " + r.err());
            }
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what + "; stdout: " + r.out() + " stderr: " + r.err());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aStillScreenDecodesWithin35DbOfTheFileSinksPng() throws Exception {
        Path video = dir.resolve("vm1.mkv");
        LauncherIT.Running r = start("file:png/", "video:" + video + "?quality=10&speed.preset=ultrafast");
        try {
            await(r, "a PNG and 30 frames of video", () -> pngs(dir.resolve("png")).size() > 0 && frames(video) >= 30);
        } finally {
            // SIGTERM (with kill: Process.destroy() would close our ends of its pipes): the
            // recording is finished with end-of-stream
            new ProcessBuilder("kill", "-TERM", Long.toString(r.process.pid())).start().waitFor();
        }
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).as("the last line says what the video sink wrote")
                .containsPattern("video-1 received \\d+.*wrote [1-9]");
        Path png = pngs(dir.resolve("png")).get(0);
        String out = run(List.of("ffmpeg", "-v", "info", "-nostats", "-i", video.toString(), "-i", png.toString(),
                "-lavfi", "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr", "-f", "null", "-"));
        Matcher m = Pattern.compile("average:([0-9.]+|inf)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        double psnr = m.group(1).equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
        assertThat(psnr).as("PSNR of the recording against the file sink's PNG").isGreaterThanOrEqualTo(35.0);
    }

    @Test
    void aLauncherKilledMidRecordingLeavesAPlayableMp4() throws Exception {
        Path video = dir.resolve("vm1.mp4");
        LauncherIT.Running r = start("video:" + video + "?speed.preset=ultrafast");
        try {
            await(r, "60 frames on disk", () -> Files.exists(video) && frames(video) >= 60);
        } finally {
            r.process.destroyForcibly(); // SIGKILL: bin/scanout execs java, so this is the JVM
            assertThat(r.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(r.process.exitValue()).isEqualTo(137);
        assertThat(frames(video)).isGreaterThanOrEqualTo(60);
        assertThat(run(List.of("ffmpeg", "-v", "error", "-i", video.toString(), "-f", "null", "-")))
                .startsWith("status=0");
    }

    private static List<Path> pngs(Path d) throws Exception {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(d)) {
            try (var s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".png")).sorted().forEach(out::add);
            }
        }
        return out;
    }
}
