package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution with a VNC sink: {@code scanout run --sink vnc:127.0.0.1:0} next to a file
 * sink on a still simulated device; GStreamer's {@code rfbsrc} (Debian gstreamer1.0-tools and
 * gstreamer1.0-plugins-bad) captures the screen over RFB, and its PNG equals the file sink's PNG
 * pixel for pixel; a viewer that stays connected is listed under the sink by {@code scanout ctl
 * stats} (text and {@code --json}) with its own counters.
 */
class VncSinkIT {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path cache;
    @TempDir
    Path dir;

    @Test
    void aRealVncClientSeesWhatTheFileSinkWrites() throws Exception {
        requireOnPath("gst-launch-1.0", "gstreamer1.0-tools gstreamer1.0-plugins-bad");
        Path script = TestRuntime.dist().resolve("bin/scanout");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "run", "--device", "sim:mdpy-vga?animate=false",
                "--sink", "file:png/", "--sink", "vnc:127.0.0.1:0", "--duration", "120").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        try {
            int port = awaitPort(r);
            Path filePng = awaitPng(dir.resolve("png"));
            Path vncPng = dir.resolve("rfbsrc.png");
            Process gst = new ProcessBuilder("gst-launch-1.0", "-q", "rfbsrc", "host=127.0.0.1", "port=" + port,
                    "incremental=false", "view-only=true", "num-buffers=1", "!", "videoconvert", "!",
                    "video/x-raw,format=RGB", "!", "pngenc", "!", "filesink", "location=" + vncPng)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("rfbsrc.log").toFile()).start();
            assertThat(gst.waitFor(60, TimeUnit.SECONDS)).as("rfbsrc finished").isTrue();
            assertThat(gst.exitValue()).as("rfbsrc: " + Files.readString(dir.resolve("rfbsrc.log"))).isZero();
            BufferedImage expected = ImageIO.read(filePng.toFile());
            BufferedImage actual = ImageIO.read(vncPng.toFile());
            assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
            assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
            int w = expected.getWidth();
            int h = expected.getHeight();
            int[] e = expected.getRGB(0, 0, w, h, null, 0, w);
            int[] a = actual.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < e.length; i++) {
                if ((e[i] | 0xff000000) != (a[i] | 0xff000000)) {
                    fail(String.format("pixel (%d, %d): the file sink wrote %06x, rfbsrc got %06x", i % w, i / w,
                            e[i] & 0xffffff, a[i] & 0xffffff));
                }
            }
            // a viewer that stays connected is listed under the sink by scanout ctl, with its own counters
            try (java.net.Socket viewer = new java.net.Socket("127.0.0.1", port)) {
                viewer.setSoTimeout(60_000);
                handshake(viewer);
                String peer = "127.0.0.1:" + viewer.getLocalPort();
                String line = "";
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end && !line.contains(peer)) {
                    LauncherIT.Result stats = ctl("stats", "--json");
                    assertThat(stats.code()).as(stats.toString()).isZero();
                    line = python(stats.out(), "for d in j['devices']:\n"
                            + "  for k in d['sinks']:\n"
                            + "    for c in k['clients']:\n"
                            + "      print(k['name'].split('-')[0], c['id'], c['peer'], c['bytes'] > 0, c['since'].endswith('Z'))");
                    Thread.sleep(100);
                }
                assertThat(line).as("the viewer, rfbsrc's v1 gone").isEqualTo("vnc v2 " + peer + " True True");
                LauncherIT.Result text = ctl("stats");
                assertThat(text.out()).containsPattern("\n    client v2 " + Pattern.quote(peer) + " since \\S+: 0 updates, \\d+ bytes");
            }
        } finally {
            r.process.destroy();
            if (!r.process.waitFor(30, TimeUnit.SECONDS)) {
                ChildProcesses.destroyTree(r.process, true);
            }
        }
    }

    /** RFB 3.8 without authentication, as a viewer asking for nothing yet. */
    private static void handshake(java.net.Socket s) throws Exception {
        var in = new java.io.DataInputStream(s.getInputStream());
        var out = s.getOutputStream();
        in.readFully(new byte[12]);
        out.write("RFB 003.008\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        in.readFully(new byte[in.readUnsignedByte()]);
        out.write(1);
        assertThat(in.readInt()).as("security result").isZero();
        out.write(1);
        in.readFully(new byte[20]);
        in.readFully(new byte[in.readInt()]);
    }

    private LauncherIT.Result ctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestRuntime.dist().resolve("bin/scanout").toString(), "ctl"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        return r.await();
    }

    /** Runs python3 on the JSON (as {@code j}) with a script that prints what the test compares. */
    private static String python(String json, String code) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import json,sys\nj=json.load(sys.stdin)\n" + code)
                .redirectErrorStream(true).start();
        p.getOutputStream().write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    private static int awaitPort(LauncherIT.Running r) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Matcher m = LISTENING.matcher(r.err() + r.out());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!r.process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        return fail("no 'listening on' line from the VNC sink; stdout: " + r.out() + " stderr: " + r.err());
    }

    private static Path awaitPng(Path d) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (Files.isDirectory(d)) {
                List<Path> pngs = new ArrayList<>();
                try (var s = Files.list(d)) {
                    s.filter(p -> p.toString().endsWith(".png")).sorted().forEach(pngs::add);
                }
                if (!pngs.isEmpty()) {
                    return pngs.get(0);
                }
            }
            Thread.sleep(100);
        }
        return fail("no PNG from the file sink in " + d + " within 60 s");
    }

    private static void requireOnPath(String program, String packages) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, program))) {
                return;
            }
        }
        fail(program + " is not installed: apt-get install " + packages + " (the VNC sink's tests use it as a real client)");
    }
}
