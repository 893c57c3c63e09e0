package io.github.scanout.sink.file.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Small real file systems for fault tests: {@code mount -t tmpfs} with a size limit, or
 * read-only. Needs the right to mount (root in CI); a test that cannot mount is skipped with
 * the exact reason mount gave. Unmounts everything it mounted on {@link #close()}.
 */
final class Tmpfs implements AutoCloseable {
    private final List<Path> mounted = new ArrayList<>();

    /** Mounts a tmpfs on {@code dir} with these options, or skips the test saying why not. */
    void mount(Path dir, String options) {
        String result = run("mount", "-t", "tmpfs", "-o", options, "scanout-test", dir.toString());
        assumeTrue(result == null, () -> "cannot mount a tmpfs (" + options + ") on " + dir + ": " + result);
        mounted.add(dir);
    }

    /** Remounts read-only. */
    void remountReadOnly(Path dir) {
        String result = run("mount", "-o", "remount,ro", dir.toString());
        if (result != null) {
            throw new AssertionError("cannot remount " + dir + " read-only: " + result);
        }
    }

    @Override
    public void close() {
        for (int i = mounted.size() - 1; i >= 0; i--) {
            String result = run("umount", mounted.get(i).toString());
            if (result != null) {
                throw new AssertionError("cannot unmount " + mounted.get(i) + ": " + result);
            }
        }
        mounted.clear();
    }

    /** Runs a command; {@code null} on success, else why it failed. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish in 30 s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return String.join(" ", command) + " could not be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
