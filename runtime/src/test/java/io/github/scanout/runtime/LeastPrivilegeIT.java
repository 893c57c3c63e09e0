package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/scanout run} may touch: it runs as an unprivileged user; it opens no network
 * socket of any kind and installs no shell; the one socket that listens is its control socket, a
 * unix socket in the cache directory with mode 0660; under strace, every file it
 * opens for writing, creates, renames, removes or changes is under the sink's output directory
 * or its cache directory (or is /dev/null, /proc/self/...), and HOME and TMPDIR stay empty.
 */
class LeastPrivilegeIT {
    static final long TIMEOUT_S = 60;
    static final int NOBODY = 65534;

    @TempDir
    Path dir;

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    static long uid() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) {
                return Long.parseLong(l.split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid: in /proc/self/status");
    }

    /**
     * For a test running as root that runs the launcher as {@link #NOBODY}: lets that user reach
     * {@code dir} (a temporary directory) and the Java runtime, or skips the test when it cannot.
     */
    static void openPathTo(Path dir) throws IOException {
        Assumptions.assumeTrue(onPath("setpriv"), "the test runs as root and needs setpriv (util-linux) to drop to uid "
                + NOBODY + "; setpriv is not on the PATH");
        // the user needs to reach the distribution and to own its output and cache directories
        for (Path p = dir; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            if (p.equals(dir) || p.startsWith(Path.of(System.getProperty("java.io.tmpdir")))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path jre = Path.of(System.getProperty("java.home"));
        for (Path p = jre; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            Assumptions.assumeTrue(Files.getPosixFilePermissions(p).contains(
                    PosixFilePermission.OTHERS_EXECUTE), "uid " + NOBODY + " cannot reach the"
                    + " Java runtime " + jre + " (" + p + " is not executable by others)");
        }
    }

    /** The command prefix that runs what follows as {@link #NOBODY} with no capabilities. */
    static List<String> asNobody() {
        return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--inh-caps=-all");
    }

    private Path copyDist() throws IOException {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        return home;
    }

    // ---------------------------------------------------------------- no root

    @Test
    void runWorksAsAnUnprivilegedUser() throws Exception {
        long uid = uid();
        Path home = copyDist();
        Path mine = Files.createDirectories(dir.resolve("user"));
        List<String> cmd = new ArrayList<>();
        if (uid == 0) {
            openPathTo(dir);
            Files.setAttribute(mine, "unix:uid", NOBODY);
            Files.setAttribute(mine, "unix:gid", NOBODY);
            cmd.addAll(asNobody());
        }
        cmd.addAll(List.of(home.resolve("bin/scanout").toString(), "run", "--device", "sim:mbochs", "--sink",
                "file:" + mine.resolve("out"), "--duration", "3"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(mine.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HOME", mine.toString());
        pb.environment().put("SCANOUT_CACHE", mine.resolve("cache").toString());
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).contains("scanout: sim:mbochs is live");
        List<Path> pngs = LauncherIT.files(mine.resolve("out"));
        assertThat(pngs).isNotEmpty();
        long expected = uid == 0 ? NOBODY : uid;
        for (Path p : pngs) {
            assertThat(((Number) Files.getAttribute(p, "unix:uid")).longValue()).as(p + " written by uid " + expected)
                    .isEqualTo(expected);
        }
    }

    // ---------------------------------------------------------------- no socket, no shell

    /** Inodes of the sockets a process has open. */
    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** What the process's fds point to. */
    private static List<String> fdTargets(long pid) throws IOException {
        List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return targets;
    }

    /** Inodes of every TCP, UDP and raw socket in the process's network namespace (any state). */
    private static Map<String, String> inetSockets(long pid) throws IOException {
        Map<String, String> byInode = new HashMap<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6")) {
            Path p = Path.of("/proc/" + pid + "/net/" + table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.trim().split("\\s+");
                if (f.length > 9) {
                    byInode.put(f[9], table + ": " + l.trim());
                }
            }
        }
        return byInode;
    }

    /**
     * The listening unix sockets (flag __SO_ACCEPTCON) in the process's namespace: inode to path
     * ("" for an unnamed one).
     */
    private static Map<String, String> listeningUnixSockets(long pid) throws IOException {
        Map<String, String> inodes = new HashMap<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/net/unix"));
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 6 && (Integer.parseInt(f[3], 16) & 0x10000) != 0) {
                inodes.put(f[6], f.length > 7 ? f[7] : "");
            }
        }
        return inodes;
    }

    private LauncherIT.Running startLive(Path home, String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), command, "--device", "sim:mbochs",
                "--sink", "file:out").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off"); // bin/scanout execs Java: the process is the JVM
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!r.out().contains("is live")) {
            assertThat(r.process.isAlive()).as(r.out() + r.err()).isTrue();
            assertThat(System.nanoTime() - deadline).as("live within " + TIMEOUT_S + " s: " + r.out()).isNegative();
            Thread.sleep(20);
        }
        return r;
    }

    @Test
    void runOpensNoNetworkSocketAndNoShellOnlyItsControlSocketWhileShellHasTheShell() throws Exception {
        Path home = copyDist();
        for (String command : List.of("run", "shell")) {
            LauncherIT.Running r = startLive(home, command);
            try {
                long pid = r.process.pid();
                assertThat(Files.readString(Path.of("/proc/" + pid + "/comm")).strip()).as("the process is the JVM")
                        .isEqualTo("java");
                Set<String> sockets = socketInodes(pid);
                Map<String, String> inet = inetSockets(pid);
                assertThat(sockets).as(command + ": no TCP, UDP or raw socket (" + inet + ")")
                        .noneMatch(inet::containsKey);
                Map<String, String> listening = listeningUnixSockets(pid);
                List<String> mine = sockets.stream().filter(listening::containsKey).map(listening::get).toList();
                assertThat(mine).as(command + ": the one listening socket is the control socket, a unix socket in the"
                        + " cache directory").singleElement().asString()
                        .matches(java.util.regex.Pattern.quote(dir.resolve("cache").toString()) + "/control-[0-9a-f]{8}\\.sock");
                Path control = Path.of(mine.get(0));
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(control)))
                        .as("the service's group may use it, nobody else").isEqualTo("rw-rw----");
                List<String> gogo = fdTargets(pid).stream().filter(t -> t.contains("gogo") || t.contains("/bundles/shell/"))
                        .toList();
                if (command.equals("run")) {
                    assertThat(gogo).as("run installs no shell bundle").isEmpty();
                } else {
                    assertThat(gogo).as("the shell's bundles are open in shell (the check above can fail)").isNotEmpty();
                }
            } finally {
                r.process.destroy();
                r.await();
            }
        }
        try (Stream<Path> jars = Files.list(home.resolve("bundles"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).as("bundles/ (what run installs)")
                    .noneMatch(n -> n.contains("gogo") || n.contains("telnet") || n.contains("remoteshell"));
        }
    }

    // ---------------------------------------------------------------- writes

    static final String WRITE_CALLS = "open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,"
            + "rmdir,link,linkat,symlink,symlinkat,truncate,chmod,fchmodat,chown,lchown,fchownat,utimensat,mknod,mknodat,"
            + "chdir,fchdir,bind,listen";
    private static final Pattern CALL = Pattern.compile("^(\\d+)\\s+([a-z0-9_]+)\\((.*)\\)\\s+=\\s+(-?\\d+).*$");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern UNIX_BIND = Pattern.compile("sa_family=AF_UNIX, sun_path=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SOCKET_INODE = Pattern.compile("^\\d+<(?:socket|UNIX|UNIX-STREAM):\\[(\\d+)");
    private static final Pattern DIRFD = Pattern.compile("^(?:AT_FDCWD|\\d+)<([^>]*)>");

    /** One successful file system call: its name and every path it changes, made absolute. */
    record Write(String call, List<String> paths, String line) {}

    /**
     * The calls in an strace -f -y log that create, change or remove a path. Calls split over two
     * lines by other threads are joined first; failed calls changed nothing and are left out.
     */
    static List<Write> writes(List<String> log, Path startDir) {
        Map<String, String> pending = new HashMap<>();
        Map<String, String> cwd = new HashMap<>();
        Set<String> unixSockets = new HashSet<>();
        List<Write> out = new ArrayList<>();
        for (String raw : log) {
            String line = raw;
            Matcher unfinished = Pattern.compile("^(\\d+)\\s+(.*) <unfinished \\.\\.\\.>$").matcher(line);
            if (unfinished.matches()) {
                pending.put(unfinished.group(1), unfinished.group(2));
                continue;
            }
            Matcher resumed = Pattern.compile("^(\\d+)\\s+<\\.\\.\\. [a-z0-9_]+ resumed>(.*)$").matcher(line);
            if (resumed.matches()) {
                String start = pending.remove(resumed.group(1));
                if (start == null) {
                    continue;
                }
                line = resumed.group(1) + " " + start + resumed.group(2);
            }
            Matcher m = CALL.matcher(line);
            if (!m.matches() || Long.parseLong(m.group(4)) < 0) {
                continue;
            }
            String pid = m.group(1);
            String call = m.group(2);
            String args = m.group(3);
            String here = cwd.getOrDefault(pid, startDir.toString());
            List<String> quoted = new ArrayList<>();
            Matcher q = QUOTED.matcher(args);
            while (q.find()) {
                quoted.add(q.group(1));
            }
            switch (call) {
                case "chdir" -> cwd.put(pid, resolve(here, null, quoted.get(0)));
                case "fchdir" -> {
                    Matcher d = DIRFD.matcher(args);
                    if (d.find()) {
                        cwd.put(pid, d.group(1));
                    }
                }
                case "open", "openat", "openat2", "creat" -> {
                    boolean write = call.equals("creat") || args.matches(".*\\b(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)\\b.*");
                    if (write && !quoted.isEmpty()) {
                        out.add(new Write(call, List.of(resolve(here, call.startsWith("openat") ? args : null, quoted.get(0))),
                                line));
                    }
                }
                case "bind", "listen" -> {
                    // a unix socket bound to a path creates that path (the control socket): a write
                    // like any other; anything else that binds or listens is a socket, never allowed
                    Matcher unix = UNIX_BIND.matcher(args);
                    Matcher inode = SOCKET_INODE.matcher(args);
                    String socket = inode.find() ? inode.group(1) : "";
                    if (call.equals("bind") && unix.find()) {
                        unixSockets.add(socket);
                        out.add(new Write(call, List.of(resolve(here, null, unix.group(1))), line));
                    } else if (!(call.equals("listen") && unixSockets.contains(socket))) {
                        out.add(new Write(call, List.of("(socket) " + args), line));
                    }
                }
                default -> {
                    if (quoted.isEmpty()) {
                        continue; // on an fd only (utimensat(fd, NULL...)): that fd was opened above
                    }
                    List<String> paths = new ArrayList<>();
                    if (call.endsWith("at") || call.equals("renameat2")) {
                        // each path follows its directory fd, decoded by -y
                        String[] parts = args.split("\"(?:[^\"\\\\]|\\\\.)*\"", -1);
                        for (int i = 0; i < quoted.size(); i++) {
                            String before = parts[i].replaceFirst("^,\\s*", "").trim();
                            paths.add(resolve(here, before, quoted.get(i)));
                        }
                    } else {
                        for (String p : quoted) {
                            paths.add(resolve(here, null, p));
                        }
                    }
                    if (call.startsWith("symlink")) {
                        paths = paths.subList(paths.size() - 1, paths.size()); // the target is not written
                    }
                    out.add(new Write(call, paths, line));
                }
            }
        }
        return out;
    }

    private static String resolve(String cwd, String dirArg, String path) {
        if (path.startsWith("/")) {
            return Path.of(path).normalize().toString();
        }
        String base = cwd;
        if (dirArg != null) {
            Matcher d = DIRFD.matcher(dirArg);
            if (d.find()) {
                base = d.group(1);
            }
        }
        return Path.of(base).resolve(path).normalize().toString();
    }

    @Test
    void runWritesOnlyIntoItsOutputAndItsCache() throws Exception {
        Assumptions.assumeTrue(onPath("strace"), "strace is not installed (apt-get install strace; .ci/run installs it)");
        Path home = copyDist();
        Path user = Files.createDirectories(dir.resolve("home"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        Path out = dir.resolve("out");
        Path trace = dir.resolve("trace.txt");
        ProcessBuilder pb = new ProcessBuilder("strace", "-f", "-qq", "-y", "-s", "4096", "-o", trace.toString(),
                "-e", "trace=" + WRITE_CALLS, home.resolve("bin/scanout").toString(), "run", "--device", "sim:mbochs",
                "--sink", "file:" + out, "--duration", "3").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("HOME", user.toString());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        if (res.code() != 0 && (res.err().contains("PTRACE_TRACEME") || res.err().contains("ptrace(PTRACE"))) {
            Assumptions.abort("strace cannot trace here (no ptrace permission): " + res.err().strip());
        }
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.out()).contains("scanout: sim:mbochs is live");
        assertThat(LauncherIT.files(out)).isNotEmpty();

        List<Write> writes = writes(Files.readAllLines(trace), dir);
        assertThat(writes).as("the trace saw the sink's and the cache's writes (the check can fail)")
                .anyMatch(w -> w.paths().stream().anyMatch(p -> p.startsWith(out + "/")))
                .anyMatch(w -> w.paths().stream().anyMatch(p -> p.startsWith(cache + "/")));
        List<String> outside = new ArrayList<>();
        for (Write w : writes) {
            for (String p : w.paths()) {
                boolean allowed = p.equals(out.toString()) || p.startsWith(out + "/") || p.equals(cache.toString())
                        || p.startsWith(cache + "/") || p.equals("/dev/null") || p.startsWith("/proc/self/")
                        || p.matches("/proc/\\d+/(task/\\d+/)?(coredump_filter|comm|oom_score_adj)");
                if (!allowed) {
                    outside.add(w.line());
                }
            }
        }
        assertThat(outside).as("writes outside " + out + " and " + cache).isEmpty();
        try (Stream<Path> h = Files.list(user); Stream<Path> t = Files.list(tmp)) {
            assertThat(h).as("HOME untouched").isEmpty();
            assertThat(t).as("TMPDIR untouched").isEmpty();
        }
    }

    @Test
    void theTraceParserSeesWritesThroughEveryForm() {
        List<String> log = List.of(
                "10 openat(AT_FDCWD</w>, \"a.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3</w/a.txt>",
                "10 openat(AT_FDCWD</w>, \"/etc/passwd\", O_RDONLY) = 4</etc/passwd>",
                "11 openat(AT_FDCWD</w>, \"/tmp/x\", O_RDWR|O_CREAT|O_EXCL, 0600 <unfinished ...>",
                "10 mkdir(\"/tmp/failed\", 0777) = -1 EEXIST (File exists)",
                "11 <... openat resumed>) = 5</tmp/x>",
                "12 chdir(\"/home/u\") = 0",
                "12 mkdir(\"cds\", 0777) = 0",
                "13 renameat2(AT_FDCWD</w>, \"b.part\", 7</var/c>, \"b\", RENAME_NOREPLACE) = 0",
                "14 unlinkat(5</var/d>, \"pid\", 0) = 0",
                "15 bind(9<socket:[123]>, {sa_family=AF_INET, sin_port=htons(8080)}, 16) = 0");
        List<Write> w = writes(log, Path.of("/w"));
        assertThat(w.stream().flatMap(x -> x.paths().stream()).toList()).containsExactly("/w/a.txt", "/tmp/x",
                "/home/u/cds", "/w/b.part", "/var/c/b", "/var/d/pid",
                "(socket) 9<socket:[123]>, {sa_family=AF_INET, sin_port=htons(8080)}, 16");
    }
}
