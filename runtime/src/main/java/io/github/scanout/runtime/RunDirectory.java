package io.github.scanout.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * This process's directory under the cache ({@code run-<pid>}): Felix's bundle cache and
 * ConfigAdmin's store live there, so configurations made by {@code run} or {@code scanout:attach}
 * last as long as the process, and two processes never share a cache. Created owner-only.
 *
 * <p>Threads: create and delete on one thread.
 */
final class RunDirectory {
    private static final System.Logger LOG = System.getLogger(RunDirectory.class.getName());
    private static final String PREFIX = "run-";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates {@code cache/run-<pid>} (removing what an earlier process of the same id left) and
     * deletes the directories of processes that no longer run.
     *
     * @throws UncheckedIOException naming the directory when it cannot be created
     */
    static RunDirectory create(Path cache) {
        try {
            Files.createDirectories(cache);
            restrict(cache);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cache directory " + cache + " (" + e.getMessage()
                    + "); set SCANOUT_CACHE to a writable directory", e);
        }
        removeStale(cache);
        Path dir = cache.resolve(PREFIX + ProcessHandle.current().pid());
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
            restrict(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return new RunDirectory(dir);
    }

    private static void restrict(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not ours to change (a shared directory given on purpose), or no POSIX permissions
        }
    }

    private static void removeStale(Path cache) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cache, PREFIX + "*")) {
            for (Path p : ds) {
                String id = p.getFileName().toString().substring(PREFIX.length());
                long pid;
                try {
                    pid = Long.parseLong(id);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not clean " + cache + ": " + e.getMessage());
        }
    }

    Path path() {
        return dir;
    }

    /** Deletes the directory and everything in it; failures are logged, not thrown. */
    void delete() {
        try {
            deleteTree(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + dir + ": " + e.getMessage());
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
