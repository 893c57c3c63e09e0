package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken input from an operator, dropped into a running {@code bin/scanout run} (conf/ and
 * deploy/ watched by FileInstall) while two devices stream to two file sinks: a file that does
 * not parse, a device value of the wrong type, a sink key with a typo, a sink value of the wrong
 * type, a bundle whose activator throws and one that cannot resolve. Each is one line on stderr
 * naming the file (or configuration), the key or the reason; no stack trace is printed; the two
 * streams never stop (their PNG counts keep growing after each drop); fixing a file makes it go
 * live, and removing the broken bundles leaves the others running. The process then stops
 * cleanly with status 0.
 */
class HostileInputIT {
    static final long WAIT_S = 60;

    @TempDir
    Path dir;

    Path conf;
    Path deploy;
    LauncherIT.Running proc;

    @Test
    void brokenConfigurationsAndBundlesAreOneLineEachAndTheStreamsNeverStop() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        conf = home.resolve("conf");
        deploy = home.resolve("deploy");
        // every device has a spec of its own: two configurations of one device share one sim
        put("io.github.scanout.device-a.cfg", "spec = sim:mbochs?mode=320x240&mmap=allow\nname = a\nrate = 10\n");
        put("io.github.scanout.device-b.cfg", "spec = sim:mdpy-vga\nname = b\nrate = 10\n");
        put("io.github.scanout.sink.file-a.cfg", sink("a", "a", "max.fps = 4\nonly.when.changed = false\n"));
        put("io.github.scanout.sink.file-b.cfg", sink("b", "b", "max.fps = 4\nonly.when.changed = false\n"));

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        proc = new LauncherIT.Running(ChildProcesses.start(pb));
        proc.process.getOutputStream().close();
        try {
            await("both sinks writing", () -> pngs("a") >= 2 && pngs("b") >= 2);

            // 1. a file that is not a configuration at all
            Path junk = put("io.github.scanout.device-junk.cfg", "garbage \u0001\n=\n\\u12\n");
            String junkLine = awaitLine("Failed to install artifact: " + junk);
            assertThat(junkLine).contains(" SEVERE org.apache.felix.fileinstall: ").endsWith(": IllegalArgumentException: Key [] must not be an empty string");
            streamsGoOn();

            // 2. a device value of the wrong type (its sink waits for it)
            Path c = put("io.github.scanout.device-c.cfg", "spec = sim:gvt?mode=320x240&mmap=allow\nname = c\nrate = fast\n");
            put("io.github.scanout.sink.file-c.cfg", sink("c", "c", "max.fps = 4\n"));
            assertThat(awaitLine("rate = 'fast' is refused")).endsWith(
                    " SEVERE io.github.scanout.core.internal.osgi.DeviceComponent: configuration io.github.scanout.device~c"
                    + " (file:" + c.toAbsolutePath() + "): rate = 'fast' is refused: expected a number from 0.1 to 1000");
            streamsGoOn();
            assertThat(pngs("c")).isZero();

            // 3. a sink key with a typo: warned about, the sink runs with its other keys
            Path typo = put("io.github.scanout.sink.file-d.cfg", sink("a", "d", "formt = png\nmax.fps = 4\n"));
            assertThat(awaitLine("unknown key 'formt'")).endsWith(" WARNING io.github.scanout.sink.file: configuration"
                    + " io.github.scanout.sink.file~d (" + typo.toUri().toString().replace("file:///", "file:/")
                    + "): unknown key 'formt' is ignored; the keys are device, path, format, max.fps, only.when.changed,"
                    + " keep, rotate.bytes, rotate.seconds, min.free.bytes, cursor, y4m.chroma, name.pattern, atomic,"
                    + " fsync, sink.name");
            await("the sink with the typo writing", () -> pngs("d") >= 1);

            // 3b. a key in another case and an old spelling: one warning each, the sink runs (before,
            //     KEEP or maxFPS made SCR drop the sink with "Duplicate service property")
            Path cased = put("io.github.scanout.sink.file-k.cfg", sink("b", "k", "KEEP = 3\nmaxFps = 4\n"));
            String casedSource = "configuration io.github.scanout.sink.file~k (" + cased.toUri().toString().replace("file:///", "file:/") + "): ";
            assertThat(awaitLine("unknown key 'KEEP'")).endsWith(" WARNING io.github.scanout.sink.file: " + casedSource
                    + "unknown key 'KEEP' (keys are case-sensitive: did you mean keep?) is ignored; the keys are device,"
                    + " path, format, max.fps, only.when.changed, keep, rotate.bytes, rotate.seconds, min.free.bytes, cursor,"
                    + " y4m.chroma, name.pattern, atomic, fsync, sink.name");
            assertThat(awaitLine("key 'maxFps' is deprecated")).endsWith(" WARNING io.github.scanout.sink.file: "
                    + casedSource + "key 'maxFps' is deprecated; it is read as 'max.fps' (rename it)");
            await("the sink with the case variant writing", () -> pngs("k") >= 1);

            // 3c. a number beyond the field it is read into: refused with the field's range (SCR tries the
            //     component again when another sink appears: the same line then, so it is not among those
            //     checked for one line below)
            Path m = put("io.github.scanout.sink.file-m.cfg", sink("b", "m", "max.fps = 4\nkeep = 2147483648\n"));
            assertThat(awaitLine("io.github.scanout.sink.file~m")).contains(" SEVERE scr: ConfigException:"
                    + " configuration io.github.scanout.sink.file~m (").contains(m.getFileName().toString())
                    .contains("): keep = '2147483648' is refused: expected a whole number from 0 to 2147483647");
            streamsGoOn();
            assertThat(pngs("m")).isZero();

            // 4. a sink value of the wrong type: refused, one line (SCR's stack trace folded)
            Path e = put("io.github.scanout.sink.file-e.cfg", sink("b", "e", "max.fps = lots\n"));
            assertThat(awaitLine("io.github.scanout.sink.file~e")).contains(" SEVERE scr: ConfigException:"
                    + " configuration io.github.scanout.sink.file~e (").contains(e.getFileName().toString())
                    .contains("): max.fps = 'lots' is refused: expected a number from 0 to 1000 or auto");
            streamsGoOn();
            assertThat(pngs("e")).isZero();

            // 5. bundles that cannot start
            Path boom = BrokenBundles.throwingActivator(deploy.resolve("boom.jar"));
            Path unresolved = BrokenBundles.unresolvedImport(deploy.resolve("unresolved.jar"));
            assertThat(awaitLine("Error while starting bundle: " + uri(boom))).matches(".* WARNING org\\.apache\\.felix\\.fileinstall: Error while"
                    + " starting bundle: " + uri(boom) + ": BundleException: Activator start error in bundle "
                    + BrokenBundles.THROWING_BSN + " \\[\\d+\\]\\.; caused by IllegalStateException: boom from the activator");
            assertThat(awaitLine("Error while starting bundle: " + uri(unresolved))).contains("Unable to resolve "
                    + BrokenBundles.UNRESOLVED_BSN).contains("osgi.wiring.package=" + BrokenBundles.MISSING_PACKAGE);
            streamsGoOn();

            // 6. a number beyond any int: the toolkit's line, not SCR's NumberFormatException
            Path f = put("io.github.scanout.sink.file-f.cfg", sink("a", "f", "keep = 99999999999999999999\n"));
            assertThat(awaitLine("io.github.scanout.sink.file~f")).contains(" SEVERE ").contains(f.getFileName().toString())
                    .contains("keep = '99999999999999999999' is refused: expected a whole number from 0 to 2147483647");
            streamsGoOn();
            assertThat(pngs("f")).isZero();

            // 7. a sinks.target that is no filter: refused naming the file, not a device with no sinks
            Path g = put("io.github.scanout.device-g.cfg", "spec = sim:mdpy-xga\nname = g\nsinks.target = (((((\n");
            assertThat(awaitLine("sinks.target = '((((('")).contains(" SEVERE ")
                    .contains("configuration io.github.scanout.device~g (file:" + g.toAbsolutePath() + ")")
                    .contains("is refused: expected an LDAP filter");
            streamsGoOn();

            // 8. a second device configuration with a name already taken: refused, the first runs on
            Path h = put("io.github.scanout.device-h.cfg", "spec = sim:mdpy-hd\nname = a\n");
            assertThat(awaitLine("name = 'a' is refused")).contains(" SEVERE ")
                    .contains("configuration io.github.scanout.device~h (file:" + h.toAbsolutePath() + ")")
                    .contains("configuration io.github.scanout.device~a (file:");
            streamsGoOn();

            // fixed files go live; removed bundles are gone and nothing else moved
            put("io.github.scanout.device-c.cfg", "spec = sim:gvt?mode=320x240&mmap=allow\nname = c\nrate = 10\n");
            put("io.github.scanout.sink.file-e.cfg", sink("b", "e", "max.fps = 4\n"));
            put("io.github.scanout.device-junk.cfg", "spec = sim:mbochs?mode=256x192&mmap=allow\nname = junk\nrate = 5\n");
            put("io.github.scanout.sink.file-junk.cfg", sink("junk", "junk", "max.fps = 4\n"));
            Files.delete(boom);
            Files.delete(unresolved);
            await("the fixed device and sinks writing", () -> pngs("c") >= 2 && pngs("e") >= 2 && pngs("junk") >= 2);
            streamsGoOn();
            assertThat(proc.process.isAlive()).isTrue();
        } finally {
            proc.process.destroy(); // SIGTERM
        }
        LauncherIT.Result r = proc.await();
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> err = r.errLines();
        assertThat(err).as("no stack trace: " + r.err()).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")
                || l.startsWith("java."));
        assertThat(err).as("every line is a log record").allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ .*"));
        for (String file : List.of("device-junk.cfg", "device~c (file:", "sink.file~d", "sink.file~e", "boom.jar", "unresolved.jar",
                "sink.file~f", "device~g (file:", "device~h (file:")) {
            assertThat(err.stream().filter(l -> l.contains(file)).map(l -> l.substring(13)).distinct())
                    .as("the lines about " + file + " say one thing").hasSize(1);
        }
        assertThat(Files.readString(conf.resolve("io.github.scanout.sink.file-d.cfg"))).contains("formt = png");
    }

    @Test
    void aFileInConfThatDoesNotParseAtStartIsOneLineAndTheRestStarts() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        conf = home.resolve("conf");
        Path junk = put("io.github.scanout.device-junk.cfg", "garbage \u0001\n=\n\\u12\n");
        put("io.github.scanout.device-a.cfg", "spec = sim:mdpy-vga\nname = a\nrate = 10\n");
        put("io.github.scanout.sink.file-a.cfg", sink("a", "a", "max.fps = 4\n"));
        // a "jar" that is not a zip: the framework would pass over it without a word
        Path notAJar = Files.writeString(home.resolve("deploy").resolve("notes.jar"), "this is not a bundle\n");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        proc = new LauncherIT.Running(ChildProcesses.start(pb));
        proc.process.getOutputStream().close();
        try {
            await("the sink writing", () -> pngs("a") >= 2);
            assertThat(awaitLine("Failed to install artifact: " + junk)).endsWith(" SEVERE org.apache.felix.fileinstall: Failed to install"
                    + " artifact: " + junk + ": IllegalArgumentException: Key [] must not be an empty string");
            // the jar was written just now: the check waits until it has settled (2 s) before naming it
            awaitLine(notAJar + " is not a jar");
        } finally {
            proc.process.destroy();
        }
        LauncherIT.Result r = proc.await();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.errLines()).as(r.err()).hasSize(2).allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ .*"));
        assertThat(r.errLines()).as(r.err()).anySatisfy(l -> assertThat(l).contains(junk.toString()));
        assertThat(r.errLines()).as(r.err()).anySatisfy(l -> assertThat(l).contains(" WARNING ")
                .endsWith(notAJar + " is not a jar (it has no zip header): it is ignored; put the bundle's jar file there"));
    }

    @Test
    void aNotAZipJarDroppedIntoDeployWhileRunningIsNamedOnce() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        conf = home.resolve("conf");
        put("io.github.scanout.device-a.cfg", "spec = sim:mdpy-vga\nname = a\nrate = 10\n");
        put("io.github.scanout.sink.file-a.cfg", sink("a", "a", "max.fps = 4\n"));
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run").directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        proc = new LauncherIT.Running(ChildProcesses.start(pb));
        proc.process.getOutputStream().close();
        Path later = home.resolve("deploy").resolve("later.jar");
        try {
            await("the sink writing", () -> pngs("a") >= 2);
            // dropped in by rename, as the operator guide says
            Path tmp = Files.writeString(home.resolve("deploy").resolve(".later.part"), "<html>a download page</html>\n");
            Files.move(tmp, later, StandardCopyOption.ATOMIC_MOVE);
            assertThat(awaitLine(later + " is not a jar")).contains(" WARNING ")
                    .endsWith(later + " is not a jar (it has no zip header): it is ignored; put the bundle's jar file there");
            long before = pngs("a");
            await("the sink writing on", () -> pngs("a") > before + 2);
        } finally {
            proc.process.destroy();
        }
        LauncherIT.Result r = proc.await();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.errLines()).as("said once, as a log record: " + r.err()).hasSize(1)
                .allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARNING .*later\\.jar is not a jar.*"));
    }

    /** The file sink configuration for DEVICE writing PNGs into out/NAME. */
    private String sink(String device, String name, String more) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out").resolve(name));
        return "device = " + device + "\npath = " + out + "\nsink.name = " + name + "\n" + more;
    }

    /** Writes a file into conf/ in one step (written beside it, then renamed). */
    private Path put(String name, String content) throws IOException {
        Path tmp = Files.createTempFile(dir, "cfg", ".part");
        Files.writeString(tmp, content, StandardCharsets.ISO_8859_1);
        return Files.move(tmp, conf.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Frames keep reaching the steady sinks a and b: both write at least 3 more PNGs. */
    private void streamsGoOn() {
        long a = pngs("a");
        long b = pngs("b");
        await("sinks a and b still writing (a " + a + ", b " + b + ")", () -> pngs("a") >= a + 3 && pngs("b") >= b + 3);
    }

    private long pngs(String name) {
        Path d = dir.resolve("out").resolve(name);
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".png") && !p.getFileName().toString().startsWith("."))
                    .count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String uri(Path p) {
        return "file:" + p.toAbsolutePath();
    }

    private String awaitLine(String fragment) {
        await("a line on stderr with '" + fragment + "'", () -> proc.err().contains(fragment));
        return Arrays.stream(proc.err().split("\n")).filter(l -> l.contains(fragment)).findFirst().orElseThrow();
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            assertThat(proc.process.isAlive()).as("scanout still running: " + proc.out() + proc.err()).isTrue();
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT_S + " s waiting for " + what + "; stderr:\n" + proc.err());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

}
