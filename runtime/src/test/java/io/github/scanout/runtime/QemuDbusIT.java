package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution reads a real QEMU's D-Bus display (issue 21): {@code scanout run --device
 * qemu-dbus:qmp:SOCK} with a file sink writes PNGs of SeaBIOS's screen (QEMU 7.2 from Debian,
 * {@code -machine pc -device VGA -display dbus,p2p=yes}, no disk, so SeaBIOS draws its text
 * screen and stops at "No bootable device"); {@code scanout snapshot} writes one, also of a QEMU on
 * a D-Bus bus ({@code qemu-dbus:bus:ADDRESS}, a real dbus-daemon); a malformed
 * spec is refused before anything starts (exit 2, one line) by the bundle's own check.
 */
class QemuDbusIT {
    /** QEMU's start and QMP socket, generously (TCG on a loaded 2-core machine). */
    static final long WAIT_MS = 120_000;

    @TempDir
    Path dir;

    Process qemu;
    Path sock;

    @BeforeEach
    void qemuRuns() throws Exception {
        sock = dir.resolve("qmp.sock");
        qemu = startQemu(sock);
    }

    Process startQemu(Path sock) throws Exception {
        Files.deleteIfExists(sock);
        Process qemu = ChildProcesses.start(new ProcessBuilder("qemu-system-x86_64", "-machine", "pc", "-vga", "none", "-device",
            "VGA", "-display", "dbus,p2p=yes", "-qmp", "unix:" + sock + ",server=on,wait=off", "-nodefaults")
            .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()));
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(sock)) {
            assertThat(qemu.isAlive()).as("QEMU runs: %s", Files.readString(dir.resolve("qemu.log"))).isTrue();
            assertThat(System.currentTimeMillis()).as("QEMU's QMP socket within %d ms", WAIT_MS).isLessThan(deadline);
            Thread.sleep(20);
        }
        // QEMU makes the socket file a moment before it listens: wait until a connect is accepted
        // (closed at once; QMP takes the next client)
        while (true) {
            try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of(sock))) {
                break;
            } catch (java.io.IOException refused) {
                assertThat(System.currentTimeMillis()).as("QEMU's QMP socket accepts within %d ms", WAIT_MS)
                    .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        return qemu;
    }

    @AfterEach
    void stopQemu() {
        if (qemu != null) {
            ChildProcesses.destroyTree(qemu, true);
        }
    }

    @Test
    void aFileSinkWritesPngsOfSeaBiosScreen() throws Exception {
        Path out = dir.resolve("scanout.out");
        Path shots = dir.resolve("shots");
        Process run = ChildProcesses.start(launch(List.of("run", "--device", "qemu-dbus:qmp:" + sock, "--sink",
            "file:shots/?format=png"), out, out));
        try {
            // SeaBIOS's two modes: 640 x 480 graphics first, then 720 x 400 text (no wall clock:
            // the run goes on until a PNG of the text is written)
            await("a PNG of SeaBIOS's text (720 x 400, not one colour)", () -> {
                for (Path p : LauncherIT.files(shots)) {
                    BufferedImage img = ImageIO.read(p.toFile());
                    if (img != null && img.getWidth() == 720 && img.getHeight() == 400 && colours(img) > 1) {
                        return true;
                    }
                }
                return false;
            });
            run.destroy(); // SIGTERM: a clean stop, status 0
            assertThat(run.waitFor(LauncherIT.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(out);
            assertThat(run.exitValue()).as(log).isZero();
            assertThat(log).contains("scanout: qemu-dbus:qmp:" + sock + " is live, first frame ").contains("(region)");
        } finally {
            ChildProcesses.destroyTree(run, true);
        }
        for (Path p : LauncherIT.files(shots)) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertThat(img).as(p + " decodes").isNotNull();
            assertThat(img.getWidth() + "x" + img.getHeight()).isIn("640x480", "720x400");
        }
        assertThat(qemu.isAlive()).as("QEMU outlives Scanout").isTrue();
    }

    /**
     * QEMU exits mid-run: the device is reported gone with QEMU's reason, and once a QEMU answers
     * on the socket again Scanout connects anew and the sink writes its picture.
     */
    @Test
    void aQemuThatExitsIsGoneAndOneThatComesBackIsReadAgain() throws Exception {
        Path out = dir.resolve("scanout.out");
        Path shots = dir.resolve("shots");
        Process run = ChildProcesses.start(launch(List.of("run", "--device", "qemu-dbus:qmp:" + sock, "--sink",
            "file:shots/?format=png"), out, out));
        try {
            await("a first PNG", () -> !LauncherIT.files(shots).isEmpty());
            ChildProcesses.destroyTree(qemu, true);
            await("the device gone", () -> Files.readString(out).contains("is gone (QEMU ended the D-Bus display connection"
                + " of console 0 of qemu-dbus:qmp:" + sock + " (QEMU exited or dropped the listener)"));
            int before = LauncherIT.files(shots).size();
            qemu = startQemu(sock);
            await("a PNG from the QEMU that came back", () -> LauncherIT.files(shots).size() > before);
            run.destroy(); // SIGTERM: a clean stop, status 0
            assertThat(run.waitFor(LauncherIT.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(out)).isZero();
            assertThat(Files.readString(out)).contains("(SIGTERM)");
        } finally {
            ChildProcesses.destroyTree(run, true);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void await(String what, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!check.holds()) {
            assertThat(System.currentTimeMillis()).as("%s within %d ms", what, WAIT_MS).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void snapshotWritesWhatQemuShows() throws Exception {
        Path png = dir.resolve("shot.png");
        LauncherIT.Result r = run("snapshot", "--device", "qemu-dbus:qmp:" + sock, "--timeout", "60",
            png.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(colours(img)).as("not a blank picture").isGreaterThan(1);
    }

    /**
     * {@code qemu-dbus:bus:ADDRESS}: a QEMU with its display on a real dbus-daemon
     * ({@code -display dbus,addr=...}, no QMP) is read by the distribution's bundle ({@code Hello},
     * {@code RegisterListener} at {@code org.qemu}); {@code scanout snapshot} writes its picture.
     */
    @Test
    void snapshotReadsAQemuOnABus() throws Exception {
        Path busSock = dir.resolve("bus.sock");
        Path conf = dir.resolve("bus.conf");
        Path printed = dir.resolve("bus.address");
        Files.writeString(conf, "<busconfig><type>scanout-it</type><listen>unix:path=" + busSock + "</listen>"
            + "<auth>EXTERNAL</auth><policy context='default'><allow send_destination='*' eavesdrop='true'/>"
            + "<allow eavesdrop='true'/><allow own='*'/></policy></busconfig>");
        Process bus = ChildProcesses.start(new ProcessBuilder("dbus-daemon", "--config-file=" + conf, "--nofork",
            "--print-address").redirectOutput(printed.toFile()).redirectError(dir.resolve("bus.log").toFile()));
        Process onBus = null;
        try {
            await("dbus-daemon's address", () -> Files.size(printed) > 0);
            String address = "unix:path=" + busSock;
            onBus = ChildProcesses.start(new ProcessBuilder("qemu-system-x86_64", "-machine", "pc", "-vga", "none",
                "-device", "VGA", "-display", "dbus,addr=" + address, "-nodefaults")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu-bus.log").toFile()));
            await("QEMU owning org.qemu on the bus", () -> {
                Process q = new ProcessBuilder("dbus-send", "--bus=" + address, "--print-reply",
                    "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                    "string:org.qemu").redirectErrorStream(true).start();
                String answer = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                q.waitFor();
                return answer.contains("boolean true");
            });
            Path png = dir.resolve("bus-shot.png");
            LauncherIT.Result r = run("snapshot", "--device", "qemu-dbus:bus:" + address + "?console=0", "--timeout",
                "60", png.toString());
            assertThat(r.code()).as(r.toString()).isZero();
            BufferedImage img = ImageIO.read(png.toFile());
            assertThat(img).isNotNull();
            assertThat(colours(img)).as("not a blank picture").isGreaterThan(1);
        } finally {
            if (onBus != null) {
                ChildProcesses.destroyTree(onBus, true);
            }
            ChildProcesses.destroyTree(bus, true);
        }
    }

    @Test
    void aMalformedSpecIsRefusedBeforeAnythingStarts() throws Exception {
        LauncherIT.Result r = run("run", "--device", "qemu-dbus:qmp:" + sock + "?head=1", "--duration", "5");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("unknown option 'head'").contains("expected qemu-dbus:qmp:/path/to/qmp.sock?console=N");
    }

    /** Runs {@code bin/scanout} in {@link #dir}, as {@link LauncherIT} does, its output in files. */
    LauncherIT.Result run(String... args) throws Exception {
        Path out = dir.resolve("scanout.out");
        Path err = dir.resolve("scanout.err");
        Process p = ChildProcesses.start(launch(List.of(args), out, err));
        if (!p.waitFor(LauncherIT.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS)) {
            ChildProcesses.destroyTree(p, true);
            throw new AssertionError("scanout did not exit within " + LauncherIT.TIMEOUT_S + " s: " + Files.readString(out));
        }
        return new LauncherIT.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    ProcessBuilder launch(List<String> args, Path out, Path err) {
        List<String> cmd = new java.util.ArrayList<>(List.of(TestRuntime.dist().resolve("bin/scanout").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (out.equals(err)) {
            pb.redirectOutput(out.toFile()).redirectErrorStream(true);
        } else {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        }
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        return pb;
    }

    static int colours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                seen.add(img.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
