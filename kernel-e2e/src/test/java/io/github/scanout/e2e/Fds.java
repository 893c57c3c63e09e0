package io.github.scanout.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The process's open fds with what they point at. A test compares the fds open after it with
 * those open before: anything new is a leak. (A plain count is not enough: the JVM may close an
 * unrelated fd, a jar or a stream freed by GC, in the middle of a test.)
 */
final class Fds {
    private Fds() {}

    static Map<String, String> snapshot() {
        Map<String, String> fds = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    fds.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the fd that lists the directory, or one closed meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    /** The fds open now that were not open (to the same file) in {@code before}. */
    static Map<String, String> openedSince(Map<String, String> before) {
        Map<String, String> now = snapshot();
        now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
        return now;
    }
}
