package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Runs the VNC clients from Debian the tests check the sink with, and a VNC sink for them on
 * 127.0.0.1 with a free port. A missing client fails the test naming the Debian package: in CI
 * nothing skips ({@code .ci/run} installs them).
 */
final class RealClients {
    private RealClients() {}

    /** Fails naming the package unless {@code program} is on the PATH. */
    static void require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        fail(program + " is not installed: apt-get install " + debianPackage + " (the VNC sink's tests use it as a real client)");
    }

    /** A VNC sink on 127.0.0.1:0 whose log lines are kept. */
    static final class Server implements AutoCloseable {
        final List<String> log = new CopyOnWriteArrayList<>();
        final VncSink sink;

        Server(Map<String, Object> config) throws IOException {
            this(config, true);
        }

        private Server(Map<String, Object> config, boolean print) throws IOException {
            Map<String, Object> c = new java.util.HashMap<>(config);
            c.putIfAbsent("device", "sim:test");
            c.putIfAbsent("listen", "127.0.0.1:0");
            sink = new VncSink(VncOptions.parse(c), "vnc-test", (level, message) -> {
                log.add(level + " " + message);
                if (print) {
                    System.err.println("[vnc] " + level + " " + message);
                }
            });
        }

        /** A server whose log lines are kept but not printed (the benchmark). */
        static Server quiet(Map<String, Object> config) throws IOException {
            return new Server(config, false);
        }

        Server() throws IOException {
            this(Map.of());
        }

        int port() {
            return sink.port();
        }

        /** Waits (generously) until a log line contains the text. */
        String awaitLog(String text) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                for (String l : log) {
                    if (l.contains(text)) {
                        return l;
                    }
                }
                Thread.sleep(20);
            }
            return fail("no log line with '" + text + "' in 60 s; the log: " + log);
        }

        @Override
        public void close() {
            sink.close();
        }
    }

    /** Runs a command to its end (60 s at most), its output to a file; returns the exit status. */
    static int run(Path dir, String name, List<String> command) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(String.join(" ", command) + " did not finish in 60 s; its output: " + Files.readString(log));
        }
        return p.exitValue();
    }

    /** GStreamer's rfbsrc: one frame of the server to a PNG. */
    static int rfbsrcSnapshot(Path dir, int port, String version, String password, Path png) throws Exception {
        require("gst-launch-1.0", "gstreamer1.0-tools");
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q", "rfbsrc", "host=127.0.0.1", "port=" + port,
                "version=" + version, "incremental=false", "view-only=true", "num-buffers=1"));
        if (password != null) {
            cmd.add("password=" + password);
        }
        cmd.addAll(List.of("!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "pngenc", "!", "filesink",
                "location=" + png));
        return run(dir, "rfbsrc-" + png.getFileName(), cmd);
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost and its key, PEM, made by the
     * {@code openssl} command; returns {cert, key}.
     */
    static Path[] selfSignedCertificate(Path dir) throws Exception {
        require("openssl", "openssl");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        int rc = run(dir, "openssl", List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        assertThat(rc).as("openssl req: " + Files.readString(dir.resolve("openssl.log"))).isZero();
        return new Path[] {cert, key};
    }

    /** The pixels of a PNG as opaque ARGB. */
    static int[] argb(Path png, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("PNG " + png).isNotNull();
        assertThat(img.getWidth()).as("width of " + png).isEqualTo(width);
        assertThat(img.getHeight()).as("height of " + png).isEqualTo(height);
        int[] out = img.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < out.length; i++) {
            out[i] |= 0xff000000;
        }
        return out;
    }

    /** Where two pictures differ first, or null when equal. */
    static String firstDifference(int[] expected, int[] actual, int width) {
        for (int i = 0; i < expected.length; i++) {
            if ((expected[i] | 0xff000000) != (actual[i] | 0xff000000)) {
                return String.format("pixel (%d, %d): expected %06x, got %06x", i % width, i / width,
                        expected[i] & 0xffffff, actual[i] & 0xffffff);
            }
        }
        return null;
    }

    static String firstLine(Path file) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            return r.readLine();
        }
    }
}
