package io.github.scanout.example.it;

import io.github.scanout.testsupport.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A copy of the built distribution ({@code runtime/target/scanout}) in a temporary directory,
 * running as {@code bin/scanout run} in its own process with its output in {@link #log()}.
 */
final class RunningScanout implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final Path home;
    private final Path log;
    private final Process process;

    private RunningScanout(Path home, Path log, Process process) {
        this.home = home;
        this.log = log;
        this.process = process;
    }

    /** Copies the distribution into {@code work/scanout} (its conf/ and deploy/ empty) and starts {@code bin/scanout run}. */
    static RunningScanout start(Path work) throws IOException {
        Path dist = Path.of(System.getProperty("scanout.dist", "../../runtime/target/scanout")).toAbsolutePath().normalize();
        if (!Files.isExecutable(dist.resolve("bin/scanout"))) {
            throw new IllegalStateException("no distribution at " + dist + ": build the runtime module first");
        }
        Path home = work.resolve("scanout");
        copy(dist, home);
        for (String dir : List.of("conf", "deploy")) {
            try (var files = Files.list(home.resolve(dir))) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
        }
        Path log = work.resolve("scanout.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run")
                .redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SCANOUT_CACHE", Files.createDirectories(work.resolve("cache")).toString());
        pb.environment().put("SCANOUT_LOG", "info");
        pb.environment().remove("SCANOUT_OPTS");
        RunningScanout s = new RunningScanout(home, log, ChildProcesses.start(pb));
        s.await("scanout running with conf/ and deploy/", () -> s.log().contains("scanout: running with conf/ and deploy/"));
        return s;
    }

    Path conf() {
        return home.resolve("conf");
    }

    Path deploy() {
        return home.resolve("deploy");
    }

    /** Puts a file into a watched directory whole (written beside it, then renamed). */
    static void drop(Path file, Path dir) throws IOException {
        Path tmp = dir.resolveSibling(file.getFileName() + ".part");
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes a configuration file into conf/ whole. */
    void configure(String name, String text) throws IOException {
        Path tmp = home.resolve(name + ".part");
        Files.writeString(tmp, text, StandardCharsets.ISO_8859_1);
        Files.move(tmp, conf().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Everything the process printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("scanout exited with " + process.exitValue() + " while waiting for " + what
                        + "; its output:\n" + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                        + "; scanout's output:\n" + log());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Stops it as Ctrl-C would (SIGTERM) and returns its exit status. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            ChildProcesses.destroyTree(process, true);
            throw new AssertionError("scanout did not stop within " + WAIT.toSeconds() + " s of SIGTERM; its output:\n"
                    + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            ChildProcesses.destroyTree(process, true);
            process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                if (dir.getFileName().toString().equals("cache") && !dir.equals(from)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
