package io.github.scanout.source.dmabuf.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test fixture: what {@code /proc/self/fd} holds, so a failed fd count can say which fds came or
 * went (the count itself is core's {@code Resources.openFds()}).
 */
final class OpenFds {
    private OpenFds() {}

    static Map<Integer, String> now() {
        Map<Integer, String> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                try {
                    out.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the fd used to list the directory, or one closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Fds open in {@code after} that were not open (to the same file) in {@code before}: what a
     * piece of work opened and did not close. Fds that only went away (closed meanwhile by
     * someone else, a cleaner for instance) are not leaks and are not listed.
     */
    static java.util.List<String> opened(Map<Integer, String> before, Map<Integer, String> after) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                out.add(e.getKey() + " -> " + e.getValue());
            }
        }
        return out;
    }

    /** The fds that differ between two listings, for assertion messages. */
    static String diff(Map<Integer, String> before, Map<Integer, String> after) {
        StringBuilder b = new StringBuilder();
        for (var e : before.entrySet()) {
            if (!e.getValue().equals(after.get(e.getKey()))) {
                b.append("\n  closed ").append(e.getKey()).append(" -> ").append(e.getValue());
            }
        }
        for (var e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                b.append("\n  opened ").append(e.getKey()).append(" -> ").append(e.getValue());
            }
        }
        return b.toString();
    }
}
