package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of the built distribution: {@code bin/scanout run} as a service (everything from
 * {@code conf/}) with three simulated devices, two of which vanish and come back on a schedule
 * ({@code flap=UP/DOWN}), a PNG file sink, a rotating Y4M file sink, a headless GL sink and a VNC
 * sink that GStreamer's {@code rfbsrc} (Debian gstreamer1.0-plugins-bad) connects to again and
 * again; meanwhile sinks and devices are hot-swapped through {@code conf/} files and
 * {@code scanout ctl} commands. It runs {@value #DEFAULT_SECONDS} s in {@code mvn verify} and any
 * time with {@code -Dscanout.soak.seconds=N} ({@code reliability/run --minutes N}).
 *
 * <p>Phases: a warm-up with the whole configuration and one round of every action, then every
 * configuration removed and the instance measured (the baseline); the soak; then every
 * configuration removed again and the instance measured again. The verdict, from outside the
 * process and through {@code scanout ctl status --json}'s {@code resources}: no lease, leaked
 * lease or device mapping left; the same open fds and the same number of {@code scanout-}
 * threads as the baseline; at most {@value #THREAD_TOLERANCE} more JVM threads (the JIT's
 * compiler threads come and go) and {@value #MAPS_TOLERANCE} more lines in
 * {@code /proc/PID/maps} (JIT code and malloc arenas); a heap after GC ({@code jcmd GC.run})
 * at most {@value #HEAP_TOLERANCE_MIB} MiB above the baseline; the cache directory holding the
 * same files; every output directory within its {@code keep}, every Y4M file within
 * {@code rotate.bytes}, no temporary file left. The counters are checked against the disk: the
 * Y4M sink's {@code written} is at least the frames its files hold and its {@code bytesWritten}
 * at least their bytes, no sink wrote more than it received, no file sink counted an error, and
 * every rfbsrc capture got the device's picture size. Each condition is awaited (up to
 * {@link #WAIT}), never timed.
 */
@Tag("soak")
class DistributionSoakIT {
    static final long DEFAULT_SECONDS = 60;
    static final long SECONDS = Long.getLong("scanout.soak.seconds", DEFAULT_SECONDS);
    static final Duration WAIT = Duration.ofSeconds(120);
    /** The heap after GC may grow by this much: JDK and framework caches filled on first use. */
    static final long HEAP_TOLERANCE_MIB = 16;
    static final int THREAD_TOLERANCE = 4;
    static final int MAPS_TOLERANCE = 64;
    static final int PNG_KEEP = 10;
    static final int SWAP_KEEP = 5;
    static final int Y4M_KEEP = 3;
    static final long Y4M_ROTATE_BYTES = 3_000_000;

    @TempDir
    Path dir;

    private Path home;
    private Path conf;
    private Path out;
    private Path cache;
    private LauncherIT.Running run;
    private final Map<String, Integer> actions = new LinkedHashMap<>();
    private int rate = 20;
    private String ctlSink;
    private int vncPort;
    /** What the last wait saw, for its failure message. */
    private String lastSeen = "";

    @Test
    void theDistributionRunsForMinutesWithoutGrowing() throws Exception {
        assertThat(Path.of("/usr/bin/gst-launch-1.0")).as("gst-launch-1.0 (Debian gstreamer1.0-tools)").isExecutable();
        home = dir.resolve("scanout");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        conf = home.resolve("conf");
        out = Files.createDirectories(dir.resolve("out"));
        cache = dir.resolve("cache");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            vncPort = s.getLocalPort();
        }
        writeAll(vncPort);
        ProcessBuilder pb = builder("run");
        run = new LauncherIT.Running(ChildProcesses.start(pb));
        long pid = run.process.pid();
        try {
            // warm-up: everything once
            awaitRunning();
            awaitVnc();
            round();
            clearAll();
            Measure before = measure(pid);
            System.out.println("distribution soak: baseline " + before);
            deleteTree(out);
            Files.createDirectories(out);

            // the soak
            writeAll(vncPort);
            awaitRunning();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            int rounds = 0;
            while (System.nanoTime() < end) {
                round();
                rounds++;
            }
            awaitRunning();
            Map<String, String> stats = checkCounters(true);
            clearAll();
            Measure after = measure(pid);
            System.out.println("distribution soak: " + SECONDS + " s, " + rounds + " rounds, actions " + actions);
            System.out.println("distribution soak: sinks at the end " + stats);
            System.out.println("distribution soak: after    " + after);
            checkBounds(before, after);
            checkFiles();
        } finally {
            run.process.destroy();
            if (!run.process.waitFor(60, TimeUnit.SECONDS)) {
                ChildProcesses.destroyTree(run.process, true);
            }
        }
        LauncherIT.Result r = run.await();
        assertThat(r.code()).as("a stop by SIGTERM exits 0: " + tail(r.err())).isZero();
        assertThat(r.err()).as("no exception escaped").doesNotContain("Exception in thread").doesNotContain("\tat ");
    }

    // ---- configuration ---------------------------------------------------------------------------

    private void writeAll(int vncPort) throws IOException {
        // a file sink configured in conf/ does not create its directory (the operator guide)
        Files.createDirectories(out.resolve("png"));
        Files.createDirectories(out.resolve("swap"));
        writeDevice("d1", "sim:mdpy-vga?animate=true&flap=12/3");
        writeDevice("d2", "sim:mbochs?mode=640x480&mmap=allow&animate=true");
        writeDevice("d3", "sim:gvt?mode=800x600&mmap=allow&animate=true&flap=20/4");
        writeConf("io.github.scanout.sink.file-png.cfg", "device = d1\npath = " + out.resolve("png")
                + "\nsink.name = png\nmax.fps = 4\nkeep = " + PNG_KEEP + "\n");
        writeConf("io.github.scanout.sink.file-y4m.cfg", "device = d2\npath = " + out.resolve("d2.y4m")
                + "\nsink.name = y4m\nformat = y4m\nmax.fps = 10\nrotate.bytes = " + Y4M_ROTATE_BYTES + "\nkeep = "
                + Y4M_KEEP + "\n");
        writeConf("io.github.scanout.sink.gl-gl.cfg", "device = d3\nmode = headless\nsink.name = gl\nmax.fps = 10\n");
        writeConf("io.github.scanout.sink.vnc-vnc.cfg", "device = d2\nlisten = 127.0.0.1:" + vncPort
                + "\nsink.name = vnc\n");
    }

    private void writeDevice(String name, String spec) throws IOException {
        writeConf("io.github.scanout.device-" + name + ".cfg", "spec = " + spec + "\nname = " + name + "\nrate = " + rate
                + "\nrescan.ms = 1000\n");
    }

    /** Written under another name and renamed into place, as the operator guide says. */
    private void writeConf(String file, String text) throws IOException {
        Path tmp = conf.resolve(".soak.tmp");
        Files.writeString(tmp, text, StandardCharsets.ISO_8859_1);
        Files.move(tmp, conf.resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void clearAll() throws Exception {
        if (ctlSink != null) {
            ctlOk("detach", ctlSink);
            ctlSink = null;
        }
        try (Stream<Path> s = Files.list(conf)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".cfg")) {
                    Files.delete(p);
                }
            }
        }
        await("no device and no sink left", () -> status().contains("\"devices\":0,")
                && status().contains("\"sinks\":0,"));
    }

    // ---- one round of every action ---------------------------------------------------------------

    private void round() throws Exception {
        Path swap = conf.resolve("io.github.scanout.sink.file-swap.cfg");
        writeConf(swap.getFileName().toString(), "device = d3\npath = " + out.resolve("swap") + "\nsink.name = swap\n"
                + "max.fps = 5\nkeep = " + SWAP_KEEP + "\n");
        count("conf sink added");
        String attach = ctlOk("--json", "attach", "file", "d1", "path=" + out.resolve("ctl"), "keep=" + SWAP_KEEP,
                "max.fps=5");
        Matcher m = Pattern.compile("\"name\":\"([^\"]+)\"").matcher(attach);
        assertThat(m.find()).as(attach).isTrue();
        ctlSink = m.group(1);
        count("ctl attach");
        vncCapture();
        rate = rate == 20 ? 15 : 20;
        writeDevice("d1", "sim:mdpy-vga?animate=true&flap=12/3");
        count("device reconfigured");
        Thread.sleep(1500);
        Files.delete(swap);
        count("conf sink removed");
        ctlOk("detach", ctlSink);
        ctlSink = null;
        count("ctl detach");
        Files.delete(conf.resolve("io.github.scanout.device-d3.cfg"));
        count("device removed");
        Thread.sleep(1500);
        writeDevice("d3", "sim:gvt?mode=800x600&mmap=allow&animate=true&flap=20/4");
        count("device added");
        ctlOk("snapshot", "d2", out.resolve("snap.png").toString());
        BufferedImage snap = ImageIO.read(out.resolve("snap.png").toFile());
        assertThat(snap.getWidth()).isEqualTo(640);
        count("ctl snapshot");
        checkCounters(false);
    }

    private void count(String action) {
        actions.merge(action, 1, Integer::sum);
    }

    /** One frame over RFB from the VNC sink, with GStreamer's rfbsrc. */
    private void vncCapture() throws Exception {
        int port = awaitVnc();
        Path png = out.resolve("rfbsrc.png");
        Files.deleteIfExists(png);
        Process gst = new ProcessBuilder("gst-launch-1.0", "-q", "rfbsrc", "host=127.0.0.1", "port=" + port,
                "incremental=false", "view-only=true", "num-buffers=1", "!", "videoconvert", "!",
                "video/x-raw,format=RGB", "!", "pngenc", "!", "filesink", "location=" + png)
                .redirectErrorStream(true).redirectOutput(dir.resolve("rfbsrc.log").toFile()).start();
        assertThat(gst.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("rfbsrc finished").isTrue();
        assertThat(gst.exitValue()).as("rfbsrc: " + Files.readString(dir.resolve("rfbsrc.log"))).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(640);
        assertThat(img.getHeight()).isEqualTo(480);
        count("vnc client");
    }

    /** Waits until the VNC sink accepts connections on its port (a fixed port is logged at INFO only). */
    private int awaitVnc() {
        await("the VNC sink listening on 127.0.0.1:" + vncPort, () -> {
            try (java.net.Socket sock = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), vncPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return vncPort;
    }

    private void awaitRunning() {
        await("three devices running and the file and GL sinks writing", () -> {
            String sinksJson = ctl("--json", "sinks").out();
            String devicesJson = ctl("--json", "devices").out();
            lastSeen = devicesJson + sinksJson;
            Map<String, long[]> sinks = sinks(sinksJson);
            return count(devicesJson, "\"state\":\"running\"") == 3 && sinks.containsKey("vnc")
                    && Stream.of("png", "y4m", "gl").allMatch(n -> sinks.containsKey(n) && sinks.get(n)[1] > 0);
        });
    }

    /** Each sink's received, written, bytesWritten, errors and (index 4: 1 when not empty) lastError. */
    static Map<String, long[]> sinks(String json) {
        Map<String, long[]> all = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\{\"name\":\"([^\"]+)\",[^{}]*?\"received\":(\\d+),\"written\":(\\d+),"
                + "\"bytesWritten\":(\\d+),\"dropped\":(\\d+),\"errors\":(\\d+),\"lastError\":\"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(json);
        while (m.find()) {
            all.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(6)), m.group(7).isEmpty() ? 0 : 1});
        }
        return all;
    }

    // ---- checks ----------------------------------------------------------------------------------

    /** The sinks' counters against each other and the disk; returns each sink's counters. */
    private Map<String, String> checkCounters(boolean complete) throws Exception {
        String json = ctlOk("--json", "sinks");
        Map<String, long[]> all = sinks(json);
        Map<String, String> shown = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : all.entrySet()) {
            String name = e.getKey();
            long[] c = e.getValue();
            shown.put(name, "received " + c[0] + ", wrote " + c[1] + " (" + c[2] + " bytes), errors " + c[3]);
            assertThat(c[1]).as(name + " wrote no more than it received: " + json).isLessThanOrEqualTo(c[0]);
            if (!name.equals("gl") && !name.equals("vnc")) {
                assertThat(c[3]).as(name + " counted no error: " + json).isZero();
                assertThat(c[4]).as(name + " has no last error: " + json).isZero();
            }
            if (name.equals("y4m")) {
                long[] onDisk = y4mOnDisk();
                assertThat(c[1]).as("y4m wrote at least the frames its files hold").isGreaterThanOrEqualTo(onDisk[0]);
                assertThat(c[2]).as("y4m's bytesWritten covers its files").isGreaterThanOrEqualTo(onDisk[1]);
            }
        }
        if (complete) {
            assertThat(all).as(json).containsKeys("png", "y4m", "gl", "vnc");
        }
        return shown;
    }

    /** Frames and bytes in the Y4M files: each file is a header line and frames of one size. */
    private long[] y4mOnDisk() throws IOException {
        long frames = 0;
        long bytes = 0;
        for (Path p : list(out, ".y4m")) {
            byte[] b;
            try {
                b = Files.readAllBytes(p);
            } catch (java.nio.file.NoSuchFileException e) {
                continue; // rotated away meanwhile
            }
            int nl = indexOf(b, (byte) '\n', 0);
            if (nl < 0) {
                continue; // being started
            }
            String header = new String(b, 0, nl, StandardCharsets.US_ASCII);
            Matcher w = Pattern.compile(" W(\\d+) H(\\d+) .*C(420|444)").matcher(header);
            assertThat(w.find()).as(header).isTrue();
            long pixels = Long.parseLong(w.group(1)) * Long.parseLong(w.group(2));
            long frame = 6 + (w.group(3).equals("444") ? pixels * 3 : pixels * 3 / 2);
            frames += (b.length - nl - 1) / frame;
            bytes += b.length;
        }
        return new long[] {frames, bytes};
    }

    private void checkFiles() throws IOException {
        assertThat(list(out.resolve("png"), ".png")).hasSizeBetween(1, PNG_KEEP);
        assertThat(list(out.resolve("swap"), ".png")).hasSizeBetween(1, SWAP_KEEP);
        assertThat(list(out.resolve("ctl"), ".png")).hasSizeBetween(1, SWAP_KEEP);
        List<Path> y4m = list(out, ".y4m");
        assertThat(y4m).hasSizeBetween(1, Y4M_KEEP);
        for (Path p : y4m) {
            assertThat(Files.size(p)).as(p + " within rotate.bytes").isLessThanOrEqualTo(Y4M_ROTATE_BYTES);
        }
        try (Stream<Path> s = Files.walk(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .noneMatch(n -> n.startsWith(".") || n.endsWith(".tmp"));
        }
    }

    private static void checkBounds(Measure before, Measure after) {
        assertThat(after.leases).as("leases").isZero();
        assertThat(after.leaked).as("leaked leases").isZero();
        assertThat(after.mappings).as("device mappings").isZero();
        assertThat(after.mappedBytes).as("mapped bytes").isZero();
        assertThat(after.fds).as("open fds").isEqualTo(before.fds);
        assertThat(after.scanoutThreads).as("scanout- threads").isEqualTo(before.scanoutThreads);
        assertThat(after.threads).as("JVM threads").isLessThanOrEqualTo(before.threads + THREAD_TOLERANCE);
        assertThat(after.maps).as("/proc/PID/maps lines").isLessThanOrEqualTo(before.maps + MAPS_TOLERANCE);
        assertThat(after.heapAfterGc).as("heap after GC")
                .isLessThanOrEqualTo(before.heapAfterGc + HEAP_TOLERANCE_MIB * 1024 * 1024);
        assertThat(after.cacheFiles).as("files in the cache directory").isEqualTo(before.cacheFiles);
    }

    /** What the instance holds now; waits until the counts that must settle have settled. */
    private Measure measure(long pid) throws Exception {
        await("no lease, mapping or sink thread left", () -> {
            String s = status();
            return s.contains("\"leases\":0,") && s.contains("\"mappings\":0,");
        });
        // fds and threads of stopped sinks and closed devices go within the wait
        Measure[] last = {null};
        await("fds and threads steady", () -> {
            Measure now = measureOnce(pid);
            boolean same = last[0] != null && now.fds == last[0].fds && now.scanoutThreads == last[0].scanoutThreads;
            last[0] = now;
            if (!same) {
                sleep(1000);
            }
            return same;
        });
        return last[0];
    }

    private Measure measureOnce(long pid) {
        try {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
            String gcOut = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(gc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(gc.exitValue()).as("jcmd GC.run: " + gcOut).isZero();
            String s = status();
            Set<String> cacheFiles = new TreeSet<>();
            try (Stream<Path> w = Files.walk(cache)) {
                w.filter(Files::isRegularFile).forEach(p -> cacheFiles.add(cache.relativize(p).toString()));
            }
            int maps;
            try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(pid), "maps"))) {
                maps = (int) lines.count();
            }
            return new Measure(num(s, "fds"), num(s, "threads"), num(s, "scanoutThreads"), num(s, "heapUsedBytes"),
                    num(s, "leases"), num(s, "leasesLeaked"), num(s, "mappings"), num(s, "mappedBytes"), maps,
                    cacheFiles);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    record Measure(long fds, long threads, long scanoutThreads, long heapAfterGc, long leases, long leaked,
            long mappings, long mappedBytes, int maps, Set<String> cacheFiles) {
        @Override
        public String toString() {
            return "fds " + fds + ", threads " + threads + " (" + scanoutThreads + " scanout-), heap after GC "
                    + heapAfterGc / (1024 * 1024) + " MiB, leases " + leases + " (" + leaked + " leaked), mappings "
                    + mappings + " (" + mappedBytes + " bytes), maps lines " + maps + ", cache files " + cacheFiles.size();
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/scanout").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("RUNTIME_DIRECTORY");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.environment().put("SCANOUT_CDS", "off");
        return pb;
    }

    private LauncherIT.Result ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("ctl"));
        all.addAll(List.of(args));
        try {
            LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(builder(all.toArray(String[]::new))));
            r.process.getOutputStream().close();
            return r.await();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String ctlOk(String... args) {
        LauncherIT.Result r = ctl(args);
        assertThat(r.code()).as("scanout ctl " + String.join(" ", args) + ": " + r).isZero();
        return r.out();
    }

    private String status() {
        return ctlOk("--json", "status");
    }

    private static long num(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static List<Path> list(Path d, String suffix) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(run.process.isAlive()).as("scanout runs: " + tail(run.err())).isTrue();
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what + "; last seen: " + lastSeen
                        + "; scanout's log: " + tail(run.err()));
            }
            sleep(200);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String tail(String s) {
        return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    }
}
