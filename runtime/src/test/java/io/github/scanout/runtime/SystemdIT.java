package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution under systemd's rules, without systemd: a notify socket the test owns
 * (a real AF_UNIX datagram socket, bound by Python) receives READY=1, STATUS= and WATCHDOG=1;
 * the shipped unit passes {@code systemd-analyze verify}; SIGTERM to the whole process group
 * on the start that dumps the class-data archive (what {@code KillMode=control-group} does)
 * stops in order, exits 0 and saves the archive; under the journal, lines carry priorities.
 */
class SystemdIT {
    @TempDir
    Path dir;

    static Path dist;

    @BeforeAll
    static void locate() {
        dist = TestRuntime.dist();
        assertThat(dist.resolve("bin/scanout")).isExecutable();
    }

    /** A datagram socket bound by python3; each datagram comes back as one line, newlines as '|'. */
    static final class NotifySocket implements AutoCloseable {
        final Process python;
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        NotifySocket(String address) throws IOException, InterruptedException {
            String bind = address.startsWith("@") ? "'\\0' + sys.argv[1][1:]" : "sys.argv[1]";
            python = new ProcessBuilder("python3", "-u", "-c", String.join("\n",
                    "import socket, sys",
                    "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                    "s.bind(" + bind + ")",
                    "print('BOUND', flush=True)",
                    "while True:",
                    "    print(s.recv(4096).decode().replace('\\n', '|'), flush=True)"), address)
                    .redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            assertThat(first).as("python3 bound the socket").isEqualTo("BOUND");
            Thread t = new Thread(() -> {
                try {
                    for (String l; (l = r.readLine()) != null;) {
                        messages.add(l);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** Messages until one starts with {@code prefix} (that one included); fails after 120 s. */
        List<String> until(String prefix) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < end) {
                String m = messages.poll(1, TimeUnit.SECONDS);
                if (m != null) {
                    seen.add(m);
                    if (m.startsWith(prefix)) {
                        return seen;
                    }
                }
            }
            throw new AssertionError("no " + prefix + " within 120 s; got " + seen);
        }

        @Override
        public void close() {
            python.destroy();
        }
    }

    LauncherIT.Running start(Map<String, String> env, List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(dist.resolve("bin/scanout").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        LauncherIT.Running r = new LauncherIT.Running(pb.start());
        r.process.getOutputStream().close();
        return r;
    }

    @Test
    void aNotifySocketGetsReadyStatusWatchdogAndStopping() throws Exception {
        String socket = dir.resolve("notify").toString();
        try (NotifySocket n = new NotifySocket(socket)) {
            LauncherIT.Running r = start(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "400000", "SCANOUT_CDS", "off"),
                    List.of(), "run", "--device", "sim:mdpy-vga", "--sink", "file:shots");
            try {
                List<String> before = n.until("READY=1");
                assertThat(before.get(before.size() - 1)).as(before.toString()).isEqualTo("READY=1|STATUS=1 device live");
                int pings = 0;
                while (pings < 3) {
                    pings += n.until("WATCHDOG=1").size() > 0 ? 1 : 0;
                }
            } finally {
                r.process.destroy(); // SIGTERM (Java itself: without the archive the launcher execs it)
            }
            n.until("STOPPING=1");
            LauncherIT.Result res = r.await();
            assertThat(res.code()).as(res.toString()).isZero();
        }
    }

    @Test
    void anAbstractNotifySocketWorksAndAFailedDeviceIsReadyWithItsReason() throws Exception {
        String socket = "@scanout-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path conf = dir.resolve("conf");
        try (NotifySocket n = new NotifySocket(socket)) {
            LauncherIT.Running r = start(Map.of("NOTIFY_SOCKET", socket, "SCANOUT_CDS", "off"), List.of(), "run",
                    "--device", "fd:999", "--gl", "off");
            List<String> got = n.until("READY=1");
            LauncherIT.Result res = r.await();
            // the device cannot open: systemd hears READY with the reason, then the run fails
            assertThat(got.get(got.size() - 1)).as(got + " " + res).startsWith("READY=1|STATUS=0 devices live, 1 failed: fd:999 failed: ");
            assertThat(res.code()).as(res.toString()).isEqualTo(1);
        }
        assertThat(conf).doesNotExist();
    }

    @Test
    void theShippedUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path shipped = dist.resolve("systemd/scanout.service");
        String unit = Files.readString(shipped);
        assertThat(unit).contains("Type=notify", "WatchdogSec=", "CacheDirectory=scanout", "RuntimeDirectory=scanout",
                "NotifyAccess=all").doesNotContain("\nMemoryDenyWriteExecute", "\nPrivateDevices");
        // the unit names /opt/scanout; verify it against this distribution
        Path copy = dir.resolve("scanout.service");
        Files.writeString(copy, unit.replace("/opt/scanout", dist.toAbsolutePath().toString()));
        Process p = new ProcessBuilder("systemd-analyze", "verify", copy.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("systemd-analyze says nothing about the unit").doesNotContain("scanout.service");
    }

    @Test
    void sigtermToTheProcessGroupOnTheDumpingStartSavesTheArchiveAndExitsZero() throws Exception {
        Path cache = dir.resolve("cache");
        // setsid: the launcher leads a process group of its own, as a service's main process does
        LauncherIT.Running r = start(Map.of(), List.of("setsid"), "run", "--device", "sim:mdpy-vga", "--sink",
                "file:shots");
        long pid = r.process.pid();
        try {
            signalTheGroupOfADumpingStart(r, pid, cache);
        } finally {
            // whatever failed above, leave no process of the group behind
            new ProcessBuilder("kill", "-KILL", "--", "-" + pid).start().waitFor();
        }
    }

    private void signalTheGroupOfADumpingStart(LauncherIT.Running r, long pid, Path cache) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!r.out().contains(" is live") && r.process.isAlive() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(r.out()).as(r.err()).contains(" is live");
        assertThat(pgid(pid)).as("setsid made the launcher a group leader").isEqualTo(pid);
        try (Stream<Path> s = Files.list(cache.resolve("cds"))) {
            assertThat(s.map(p -> p.getFileName().toString())).as("this start dumps the archive")
                    .anyMatch(n -> n.endsWith(".lock")).noneMatch(n -> n.endsWith(".jsa"));
        }
        List<Long> group = groupMembers(pid);
        assertThat(group).as("the script and Java, its child").hasSizeGreaterThanOrEqualTo(2);
        Process kill = new ProcessBuilder("kill", "-TERM", "--", "-" + pid).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).contains("scanout: stopped after ").contains("(SIGTERM)");
        try (Stream<Path> s = Files.list(cache.resolve("cds"))) {
            assertThat(s.map(p -> p.getFileName().toString())).as("the archive was saved")
                    .anyMatch(n -> n.matches("scanout-\\d+-\\d+\\.jsa")).noneMatch(n -> n.endsWith(".part") || n.endsWith(".lock"));
        }
    }

    @Test
    void underTheJournalLinesStartWithAPriority() throws Exception {
        // JOURNAL_STREAM names stderr (a pipe here), as systemd sets it for a service logging to the journal
        LauncherIT.Running r = start(Map.of("SCANOUT_CDS", "off"), List.of("sh", "-c",
                "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\""), "run", "--device",
                "sim:mbochs?mode=640x480&mmap=refuse", "--sink", "file:out", "--duration", "3", "--gl", "off");
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isEqualTo(1);
        assertThat(res.errLines()).as(res.toString()).anyMatch(l -> l.startsWith("<4>scanout: WARNING: sink file-1 gets no picture"))
                .anyMatch(l -> l.startsWith("<3>scanout: failed: "))
                .noneMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"));
    }

    private static long pgid(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
    }

    private static List<Long> groupMembers(long pgid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)) {
                    try {
                        if (pgid(Long.parseLong(n)) == pgid) {
                            out.add(Long.parseLong(n));
                        }
                    } catch (IOException | RuntimeException e) {
                        // gone
                    }
                }
            }
        }
        return out;
    }
}
