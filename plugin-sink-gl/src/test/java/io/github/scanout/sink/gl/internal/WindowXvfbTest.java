package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real window under Xvfb: the GL sink shows a simulated mdpy, and a screenshot of the X
 * display ({@code import -window root}) matches the device's pixels in the window's area,
 * exactly; after a resize the picture is letterboxed. The window runs in a child JVM whose
 * DISPLAY is this test's Xvfb.
 */
class WindowXvfbTest {
    private static final long TIMEOUT_S = 60;

    private Process xvfb;
    private Process child;

    @AfterEach
    void stop() {
        for (Process p : new Process[] {child, xvfb}) {
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Starts Xvfb on a free display (it picks one: -displayfd) and returns ":N". */
    private String startXvfb(Path dir) throws Exception {
        xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n = line.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(n).as("Xvfb display number (see " + dir.resolve("xvfb.log") + ")").isNotBlank();
        return ":" + n.trim();
    }

    @Test
    void windowShowsTheDeviceAndAScreenshotMatchesIt(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("Xvfb"), "Xvfb not found: apt-get install xvfb xauth");
        Assumptions.assumeTrue(onPath("import"), "ImageMagick's import not found: apt-get install imagemagick");
        GlTestSupport.assumeHeadlessGl(); // the same Mesa drivers render the window
        String display = startXvfb(dir);

        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                WindowProbeMain.class.getName(), dir.toString(), "sim:mdpy-vga")
                .redirectError(dir.resolve("child.log").toFile());
        pb.environment().put("DISPLAY", display);
        pb.environment().remove("WAYLAND_DISPLAY");
        child = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);

        String[] ready = awaitReady(out, dir);
        int x = Integer.parseInt(ready[1]);
        int y = Integer.parseInt(ready[2]);
        int w = Integer.parseInt(ready[3]);
        int h = Integer.parseInt(ready[4]);
        String title = String.join(" ", List.of(ready).subList(5, ready.length));
        assertThat(title).as("title with device and fps").contains("sim:mdpy-vga").contains("fps");

        int[][] expected = readExpected(dir.resolve("expected.argb"));
        int ew = expected[0][0];
        int eh = expected[0][1];
        assertThat(new int[] {w, h}).as("window drawable size").containsExactly(ew, eh);
        Screen shot = screenshot(display, dir.resolve("shot1.ppm"));
        int[] area = shot.getRGB(x, y, w, h, null, 0, w);
        assertThat(GlTestSupport.firstDifference(expected[1], opaque(area), w)).as("window area of the screenshot").isNull();

        // resize to a wider window: the picture keeps its aspect ratio with black bars left and right
        in.write("RESIZE 960 480\n");
        in.flush();
        ready = awaitReady(out, dir);
        x = Integer.parseInt(ready[1]);
        y = Integer.parseInt(ready[2]);
        w = Integer.parseInt(ready[3]);
        h = Integer.parseInt(ready[4]);
        assertThat(new int[] {w, h}).containsExactly(960, 480);
        Screen shot2 = screenshot(display, dir.resolve("shot2.ppm"));
        Rect r = ScaleMode.ASPECT.place(ew, eh, w, h); // 640x480 fits as 640x480 centred: bars of 160
        assertThat(r).isEqualTo(new Rect(160, 0, 640, 480));
        int[] frame = shot2.getRGB(x + 160, y, 640, 480, null, 0, 640);
        assertThat(GlTestSupport.firstDifference(expected[1], opaque(frame), 640)).as("letterboxed picture").isNull();
        for (int bx : new int[] {0, 80, 159, 800, 959}) {
            assertThat(shot2.getRGB(x + bx, y + 240) & 0xffffff).as("bar pixel at x=" + bx).isZero();
        }
        // the resize also went to the device's EDID region (debounced 1 s, link up 100 ms later)
        in.write("EDID 960\n");
        in.flush();
        String edid = awaitLine(out, "EDID ");
        assertThat(edid).isEqualTo("EDID 960x480 link up sent 1");
        in.write("QUIT\n");
        in.flush();
        assertThat(child.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("child exits").isTrue();
        assertThat(child.exitValue()).as("child exit status (see child.log)").isZero();
    }

    private String awaitLine(BufferedReader out, String prefix) throws Exception {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = out.readLine()) != null;) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        return f.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private String[] awaitReady(BufferedReader out, Path dir) throws Exception {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = out.readLine()) != null;) {
                    if (l.startsWith("READY ")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line = f.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(line).as("window probe output (log: " + Files.readString(dir.resolve("child.log")) + ")").isNotNull();
        return line.split(" ");
    }

    /** A screenshot of the whole X display, as PPM (P6): no colour space or gamma for a reader to apply. */
    private static Screen screenshot(String display, Path file) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("import", "-window", "root", "-depth", "8", "ppm:" + file)
                .redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("import finishes").isTrue();
        assertThat(p.exitValue()).as("import -window root: " + log).isZero();
        return Screen.readPpm(file);
    }

    /** RGB pixels of a screenshot. */
    record Screen(int width, int height, int[] argb) {
        int getRGB(int x, int y) {
            return argb[y * width + x];
        }

        int[] getRGB(int x0, int y0, int w, int h, int[] unused, int off, int scan) {
            int[] out = new int[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(argb, (y0 + y) * width + x0, out, y * w, w);
            }
            return out;
        }

        static Screen readPpm(Path file) throws IOException {
            byte[] b = Files.readAllBytes(file);
            int[] pos = {0};
            String magic = token(b, pos);
            if (!magic.equals("P6")) {
                throw new IOException(file + " is not a binary PPM (" + magic + ")");
            }
            int w = Integer.parseInt(token(b, pos));
            int h = Integer.parseInt(token(b, pos));
            int max = Integer.parseInt(token(b, pos));
            if (max != 255) {
                throw new IOException(file + ": maxval " + max + ", expected 255");
            }
            int p = pos[0] + 1; // one whitespace byte after maxval
            int[] px = new int[w * h];
            for (int i = 0; i < px.length; i++, p += 3) {
                px[i] = 0xff000000 | (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff);
            }
            return new Screen(w, h, px);
        }

        private static String token(byte[] b, int[] pos) {
            int p = pos[0];
            while (Character.isWhitespace(b[p])) {
                p++;
            }
            int start = p;
            while (!Character.isWhitespace(b[p])) {
                p++;
            }
            pos[0] = p;
            return new String(b, start, p - start, StandardCharsets.US_ASCII);
        }
    }

    private static int[] opaque(int[] argb) {
        int[] o = argb.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] |= 0xff000000;
        }
        return o;
    }

    private static int[][] readExpected(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            int w = in.readInt();
            int h = in.readInt();
            int[] px = new int[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = in.readInt() | 0xff000000;
            }
            List<int[]> r = new ArrayList<>();
            r.add(new int[] {w, h});
            r.add(px);
            return r.toArray(new int[0][]);
        }
    }
}
