package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/scanout} as a process, as users and scripts run it: the demo writes valid PNGs and
 * exits 0; SIGTERM and SIGINT mid-run stop it cleanly with status 0 and no partial file; bad
 * arguments exit 2 with exactly one line on stderr; {@code devices} and {@code shell} work.
 */
class LauncherIT {
    /** A bound for a broken build, not a speed claim: generous for a loaded 2-core machine. */
    static final long TIMEOUT_S = 120;

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

    /** A finished process: exit status, stdout, stderr. */
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    /** A started process whose output is collected on threads of its own. */
    static final class Running {
        final Process process;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Thread[] pumps;

        Running(Process p) {
            this.process = p;
            this.pumps = new Thread[] {pump(p.getInputStream(), out), pump(p.getErrorStream(), err)};
        }

        private static Thread pump(InputStream in, ByteArrayOutputStream to) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    for (int n; (n = in.read(b)) > 0;) {
                        synchronized (to) {
                            to.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String err() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        Result await() throws InterruptedException {
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                ChildProcesses.destroyTree(process, true);
                throw new AssertionError("scanout did not exit within " + TIMEOUT_S + " s; stdout: " + out());
            }
            for (Thread t : pumps) {
                t.join(5000);
            }
            synchronized (err) {
                return new Result(process.exitValue(), out(), err.toString(StandardCharsets.UTF_8));
            }
        }
    }

    Running start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        // as from a terminal: a harness started in the background (nohup ... &) passes SIGINT on
        // as ignored, and a program keeps an ignored SIGINT ignored (the JVM does), so the INT case
        // would test the harness; env execs the script, the process id stays the same
        cmd.add("env");
        cmd.add("--default-signal=INT");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.environment().putAll(env);
        return new Running(ChildProcesses.start(pb));
    }

    Result run(String... args) throws Exception {
        Running r = start(Map.of(), args);
        r.process.getOutputStream().close();
        return r.await();
    }

    @Test
    void theDemoWritesValidPngsAndExitsZero() throws Exception {
        Result r = run("run", "--device", "sim:mbochs", "--sink", "file:out/?format=png", "--duration", "3");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("scanout: sim:mbochs is live, first frame ").contains("scanout: stopped after 3.");
        List<Path> pngs = files(dir.resolve("out"));
        assertThat(pngs).as("about one PNG a second for 3 s").hasSizeBetween(2, 6);
        for (Path p : pngs) {
            assertThat(p.getFileName().toString()).startsWith("sim_mbochs-").endsWith(".png");
            BufferedImage img = ImageIO.read(p.toFile());
            assertThat(img).as(p + " decodes").isNotNull();
            assertThat(img.getWidth()).isEqualTo(1024);
            assertThat(img.getHeight()).isEqualTo(768);
        }
    }

    @Test
    void framesStopsAfterTheSinksWroteThem() throws Exception {
        Result r = run("run", "--device", "sim:mdpy-vga", "--sink", "file:shots?max.fps=0", "--frames", "5");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("(5 frames written)");
        assertThat(files(dir.resolve("shots"))).hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void whenTheProcessItWasToldToWatchEndsTheRuntimeStopsCleanly() throws Exception {
        // a stand-in for a test JVM that is killed: SIGKILL runs no code of its, so only the
        // launcher's own watch can stop the runtime it started
        Process parent = new ProcessBuilder("sleep", "600").start();
        try {
            Running r = start(Map.of("SCANOUT_CDS", "off", ChildProcesses.PARENT_ENV, Long.toString(parent.pid())),
                    "run", "--device", "sim:mdpy-vga", "--sink", "file:out?max.fps=10&only.when.changed=false");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (files(dir.resolve("out")).size() < 2) {
                assertThat(r.process.isAlive()).as(r.out()).isTrue();
                assertThat(System.nanoTime() - deadline).as("2 PNGs within 60 s").isNegative();
                Thread.sleep(20);
            }
            parent.destroyForcibly();
            Result res = r.await();
            assertThat(res.code()).as(res.toString()).isZero();
            assertThat(res.out()).as(res.toString()).contains("scanout: stopped after")
                    .contains("process " + parent.pid() + " (SCANOUT_PARENT_PID) ended");
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void destroyingTheTreeEndsTheJavaTheScriptRunsAsAChildWhileDumpingItsArchive() throws Exception {
        // a fresh cache: the script dumps the class-data archive, running Java as its child
        Running r = start(Map.of("SCANOUT_CACHE", dir.resolve("fresh-cache").toString()), "run", "--device",
                "sim:mdpy-vga", "--sink", "file:out?max.fps=10&only.when.changed=false");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (files(dir.resolve("out")).isEmpty()) {
            assertThat(r.process.isAlive()).as(r.out()).isTrue();
            assertThat(System.nanoTime() - deadline).as("a PNG within 60 s").isNegative();
            Thread.sleep(20);
        }
        List<ProcessHandle> tree = r.process.descendants().toList();
        assertThat(tree).as("the script's Java child").isNotEmpty();
        ChildProcesses.destroyTree(r.process, true);
        assertThat(r.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (ProcessHandle h : tree) {
            assertThat(h.onExit().get(60, TimeUnit.SECONDS).isAlive()).as("pid " + h.pid()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TERM", "INT", "TERM from Process.destroy()", "TERM while dumping the class-data archive"})
    void aSignalMidRunStopsCleanlyWithStatusZeroAndNoPartialFile(String signal) throws Exception {
        Map<String, String> env = signal.contains("dumping") ? Map.of("SCANOUT_CACHE", dir.resolve("fresh-cache").toString())
                : Map.of("SCANOUT_CDS", "off");
        Running r = start(env, "run", "--device", "sim:mbochs", "--sink", "file:out?max.fps=30&only.when.changed=false");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (files(dir.resolve("out")).size() < 5) {
            assertThat(r.process.isAlive()).as(r.out()).isTrue();
            assertThat(System.nanoTime() - deadline).as("5 PNGs within 120 s").isNegative();
            Thread.sleep(20);
        }
        boolean destroy = signal.contains("destroy");
        if (destroy) {
            r.process.destroy(); // SIGTERM; the JDK also closes our ends of its pipes
        } else {
            String name = signal.split(" ")[0];
            new ProcessBuilder("kill", "-" + name, Long.toString(r.process.pid())).start().waitFor();
        }
        Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        if (!destroy) {
            assertThat(res.out()).contains("scanout: stopped after").contains("(SIG" + signal.split(" ")[0] + ")");
        }
        try (Stream<Path> all = Files.list(dir.resolve("out"))) {
            assertThat(all.map(p -> p.getFileName().toString())).as("no partial file").allMatch(n -> n.endsWith(".png")
                    && !n.startsWith("."));
        }
        for (Path p : files(dir.resolve("out"))) {
            assertThat(ImageIO.read(p.toFile())).as(p + " is a whole PNG").isNotNull();
        }
        if (signal.contains("dumping")) {
            try (Stream<Path> archives = Files.list(dir.resolve("fresh-cache/cds"))) {
                assertThat(archives.map(p -> p.getFileName().toString())).as("the archive moved into place, the lock gone")
                        .singleElement().satisfies(n -> assertThat(n).endsWith(".jsa"));
            }
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "frobnicate",
        "run --device sim:mbochs --sink tv:host",
        "run --device sim:mbochs --sink file:out?format=bmp",
        "run --device sim:mbochs --sink file:out?colour=red",
        "run --device sim:mbochs --sink file:out?format",
        "run --device sim:mbochs --duration soon",
        "run --device sim:mbochs --sink file:out --frames -3",
        "run --sink file:out",
        "devices --all"})
    void badArgumentsExitTwoWithOneLineAndStartNothing(String line) throws Exception {
        Result r = run(line.isEmpty() ? new String[0] : line.split(" "));
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).singleElement().satisfies(l -> assertThat(l).startsWith("scanout: ")
                .endsWith(" (see scanout --help)"));
        assertThat(r.out()).isEmpty();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void helpIsTheReference() throws Exception {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage:").contains("scanout run", "scanout shell", "scanout devices");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aDeviceSpecItsSchemeRefusesIsOneLineAndStatusTwoBeforeAnythingStarts() throws Exception {
        Result r = run("run", "--device", "sim:nonesuch", "--duration", "1");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("scanout: --device 'sim:nonesuch': spec 'sim:nonesuch': unknown simulated device 'nonesuch'"));
        assertThat(r.out()).isEmpty();
    }

    @Test
    void devicesSaysWhenTheHostHasNone() throws Exception {
        Path bus = Path.of("/sys/bus/mdev/devices");
        boolean none;
        try (Stream<Path> s = Files.isDirectory(bus) ? Files.list(bus) : Stream.empty()) {
            none = s.findAny().isEmpty();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(none, "this host has mdevs");
        Result r = run("devices");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("No mediated devices on this host").contains("sim:mbochs");
    }

    @Test
    void devicesSaysWhoHoldsEachMdevWithoutOpeningAny() throws Exception {
        Path sys = dir.resolve("sys");
        Path proc = dir.resolve("proc");
        Path dev = dir.resolve("dev");
        String free = "5c1e0001-0000-4000-8000-00000000a001";
        String held = "5c1e0002-0000-4000-8000-00000000a002";
        Files.createDirectories(sys.resolve("bus/mdev/devices").resolve(free));
        Path heldDir = Files.createDirectories(sys.resolve("devices/mdpy").resolve(held));
        Files.createDirectories(sys.resolve("kernel/iommu_groups/12"));
        Files.createSymbolicLink(heldDir.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/12"));
        Files.createSymbolicLink(sys.resolve("bus/mdev/devices").resolve(held), Path.of("../../../devices/mdpy/" + held));
        Path qemu = Files.createDirectories(proc.resolve("4242/fd"));
        Files.createSymbolicLink(qemu.resolve("6"), dev.resolve("vfio/12"));
        Files.createSymbolicLink(qemu.resolve("7"), Path.of("anon_inode:[vfio-device]"));
        Files.writeString(proc.resolve("4242/cmdline"), "qemu-system-x86_64\0-name\0guest=vm1\0");
        Files.writeString(proc.resolve("4242/status"), "Uid:\t107\t107\t107\t107\nCapEff:\t0000000000000000\n");
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/status"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n");
        Running r = start(Map.of("SCANOUT_OPTS", "-Dscanout.sysfs=" + sys + " -Dscanout.dev=" + dev + " -Dscanout.proc="
                + proc + " -Dscanout.run=" + dir.resolve("run")), "devices");
        r.process.getOutputStream().close();
        Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).startsWith("2 mediated devices (" + sys.resolve("bus/mdev/devices") + "):")
                .contains("  " + free + " type ? parent ?\n    held by no process that Scanout can see\n"
                        + "    no VM runs on it: scanout run --device vm:" + free + " waits for one; a direct open"
                        + " (--device " + free + ") is not possible (no IOMMU group and no vfio cdev in sysfs)")
                .contains("  " + held + " type ? parent mdpy group 12\n"
                        + "    held by process 4242 (qemu-system-x86_64 -name guest=vm1), libvirt domain 'vm1'\n"
                        + "    Scanout cannot borrow it: the VMM runs as uid 107 and Scanout as uid 1000");
    }

    @Test
    void theShellRunsTheScanoutCommands() throws Exception {
        Files.createDirectories(dir.resolve("shots"));
        Running r = start(Map.of(), "shell", "--device", "sim:mbochs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!r.out().contains("is live")) {
            assertThat(r.process.isAlive()).as(r.out()).isTrue();
            assertThat(System.nanoTime() - deadline).as("live within 120 s: " + r.out()).isNegative();
            Thread.sleep(20);
        }
        try (OutputStream in = r.process.getOutputStream()) {
            in.write(("scanout:attach\n"
                    + "scanout:attach http sim:mbochs\n"
                    + "scanout:attach file sim:mbochs keep=abc path=" + dir.resolve("shots") + "\n"
                    + "scanout:attach file sim:mbochs path=" + dir.resolve("shots") + "\n"
                    + "scanout:snapshot sim:mbochs " + dir.resolve("snap.png") + "\n"
                    + "scanout:sinks\n"
                    + "scanout:detach file-1\n").getBytes(StandardCharsets.UTF_8));
        } // end of input: the shell exits and stops the framework
        Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        // the sink types and their rules come from the installed bundles' metatype, read through the Bundle API
        assertThat(res.out() + res.err()).contains("usage: scanout:attach SINKTYPE DEVICE [key=value...]")
                .contains("no sink type http (known: file, vnc)")
                .contains("configuration io.github.scanout.sink.file~file-1: keep = 'abc' is refused: expected a whole"
                        + " number from 0 to 2147483647")
                .doesNotContain("Cannot coerce");
        assertThat(res.out()).contains("attached file-1 to sim:mbochs (configuration io.github.scanout.sink.file~file-1)")
                .contains("wrote " + dir.resolve("snap.png") + " (1024x768 XR24")
                .contains("detached file-1");
        assertThat(ImageIO.read(dir.resolve("snap.png").toFile()).getWidth()).isEqualTo(1024);
        assertThat(files(dir.resolve("shots"))).isNotEmpty();
    }

    @Test
    void theShellsExitStopsQuietlyAndHelpShowsTheDescriptors() throws Exception {
        // the snapshot's temporary file name taken by a directory: it cannot be written, even by root
        Files.createDirectories(dir.resolve("shots/.x.png.tmp"));
        Running r = start(Map.of(), "shell", "--device", "sim:mbochs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!r.out().contains("is live")) {
            assertThat(r.process.isAlive()).as(r.out()).isTrue();
            assertThat(System.nanoTime() - deadline).as("live within 120 s: " + r.out()).isNegative();
            Thread.sleep(20);
        }
        OutputStream in = r.process.getOutputStream();
        in.write(("help scanout:snapshot\n"
                + "scanout:snapshot sim:mbochs " + dir.resolve("shots/x.png") + "\n"
                + "scanout:keys file\n"
                + "lb -s felix\n"
                + "exit 0\n").getBytes(StandardCharsets.UTF_8));
        in.flush(); // input stays open: exit, not the end of input, stops it
        Result res = r.await();
        in.close();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).contains("writes the device's current picture to a PNG file")
                .contains("the PNG file to write (its directory must exist)")
                .contains("cannot write " + dir.resolve("shots/x.png") + ": Is a directory")
                .contains("file sink keys (configuration factory PID io.github.scanout.sink.file):")
                .containsPattern("(?m)^max\\.fps +a number from 0 to 1000 or auto; default auto$")
                // the Log and MetaType services run (SCR logs through the first; the second serves the keys' metatype)
                .containsPattern("\\|Active +\\| +\\d+\\|org\\.apache\\.felix\\.log ")
                .containsPattern("\\|Active +\\| +\\d+\\|org\\.apache\\.felix\\.metatype ")
                .contains("scanout: stopped");
        assertThat(res.out() + res.err()).doesNotContain("InterruptedException").doesNotContain("\tat ");
    }

    @Test
    void theShellsExitWithAStatusIsTheExitStatus() throws Exception {
        Running r = start(Map.of(), "shell", "--device", "sim:mdpy-vga");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!r.out().contains("is live")) {
            assertThat(r.process.isAlive()).as(r.out()).isTrue();
            assertThat(System.nanoTime() - deadline).as("live within 60 s: " + r.out()).isNegative();
            Thread.sleep(20);
        }
        OutputStream in = r.process.getOutputStream();
        in.write("exit 3\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        Result res = r.await();
        in.close();
        assertThat(res.code()).as(res.toString()).isEqualTo(3);
        assertThat(res.out()).contains("scanout: stopped");
        assertThat(res.out() + res.err()).doesNotContain("InterruptedException").doesNotContain("\tat ");
    }

    @Test
    void runWithoutDeviceRunsWhatConfConfiguresAndNeverWritesIt() throws Exception {
        Path home = dir.resolve("dist");
        copyTree(TestRuntime.dist(), home);
        Path shots = Files.createDirectories(dir.resolve("shots"));
        Path device = home.resolve("conf/io.github.scanout.device-desk.cfg");
        Path sink = home.resolve("conf/io.github.scanout.sink.file-desk.cfg");
        Files.writeString(device, "spec = sim:mdpy-xga\nname = desk\n");
        Files.writeString(sink, "device = desk\npath = " + shots + "\nsink.name = desk\n");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run", "--duration", "2")
                .directory(dir.toFile());
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        Running r = new Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).contains("scanout: running with conf/ and deploy/").contains("scanout: stopped (duration reached)");
        assertThat(res.err()).as("a clean stop logs nothing").isEmpty();
        assertThat(files(shots)).isNotEmpty().allSatisfy(p -> assertThat(p.getFileName().toString()).startsWith("desk-"));
        assertThat(Files.readString(device)).isEqualTo("spec = sim:mdpy-xga\nname = desk\n");
        assertThat(Files.readString(sink)).isEqualTo("device = desk\npath = " + shots + "\nsink.name = desk\n");
        try (Stream<Path> left = Files.list(cache)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the run directory is gone").noneMatch(n -> n.startsWith("run-"));
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith("cache")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static List<Path> files(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".png") && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

}
