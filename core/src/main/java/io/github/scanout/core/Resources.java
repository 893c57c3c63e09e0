package io.github.scanout.core;

import io.github.scanout.api.buffer.Leases;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Process-wide counters of what the device layer holds, for leak tests and diagnostics:
 * compare a value before and after a piece of work.
 *
 * <p>Threads: any; each value is a snapshot.
 */
public final class Resources {
    private Resources() {}

    private static final Path FD_DIR = Path.of("/proc/self/fd");

    /**
     * Open file descriptors of this process (the entries of {@code /proc/self/fd}, not counting
     * the one used to list them).
     *
     * @throws UncheckedIOException when {@code /proc} cannot be read
     */
    public static int openFds() {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(FD_DIR)) {
            for (Path ignored : ds) {
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FD_DIR, e);
        }
        return n - 1;
    }

    /**
     * The open file descriptors of this process, each with what it points at (the target of its
     * {@code /proc/self/fd} link: a path, {@code "/memfd:name (deleted)"},
     * {@code "anon_inode:dmabuf"}, {@code "socket:[1234]"}). The fd used to list them is left
     * out, and so is an fd closed while listing. Keep it, do the work, then ask
     * {@link #fdsOpenedSince(Map)}.
     *
     * <p>Threads: any. The map is an unmodifiable snapshot, iterated in fd order.
     *
     * @throws UncheckedIOException when {@code /proc} cannot be read
     */
    public static Map<Integer, String> fdSnapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(FD_DIR)) {
            String listing = FD_DIR.toRealPath().toString(); // where the stream's own fd points
            for (Path p : ds) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals(listing)) {
                        fds.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FD_DIR, e);
        }
        return Collections.unmodifiableMap(fds);
    }

    /**
     * The fds open now that were not open, to the same target, in {@code before} (a
     * {@link #fdSnapshot()}): what a piece of work opened and did not close. Fds are compared by
     * number <em>and</em> target, because the JVM may close unrelated fds in the middle of a test
     * (a jar, a stream freed by the garbage collector) and reuse their numbers: a plain count,
     * or numbers alone, can hide a leak or report one that is not there. Fds that only went away
     * are not listed, and neither are what the JVM itself opens at any time and Scanout never
     * opens: cgroup and {@code /proc} files (its container support reads {@code memory.stat} and
     * {@code memory.limit_in_bytes}) and jars (a class path jar on a class's first use).
     *
     * <p>Threads: any. The map is an unmodifiable snapshot, iterated in fd order; empty when
     * nothing was left open.
     *
     * @param before an earlier {@link #fdSnapshot()}
     * @throws UncheckedIOException when {@code /proc} cannot be read
     */
    public static Map<Integer, String> fdsOpenedSince(Map<Integer, String> before) {
        Objects.requireNonNull(before, "before");
        Map<Integer, String> opened = new TreeMap<>(fdSnapshot());
        opened.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())) || jvmOwn(e.getValue()));
        return Collections.unmodifiableMap(opened);
    }

    private static boolean jvmOwn(String target) {
        return target.startsWith("/sys/fs/cgroup/") || target.startsWith("/proc/") || target.endsWith(".jar");
    }

    /**
     * What the device layer holds now: open fds (as {@link #fdSnapshot()}), bytes mapped and
     * mappings live through the native layer, and live {@link Leases}. Keep it, do the work, then
     * ask {@link #leaksSince(Usage)}.
     *
     * @param fds open fds and their targets
     * @param mappedBytes {@link #mappedBytes()}
     * @param liveMappings {@link #liveMappings()}
     * @param leases {@link Leases#live()}
     */
    public record Usage(Map<Integer, String> fds, long mappedBytes, long liveMappings, long leases) {
        public Usage {
            fds = Map.copyOf(fds);
        }
    }

    /** A {@link Usage} of now. Threads: any. */
    public static Usage usage() {
        return new Usage(fdSnapshot(), mappedBytes(), liveMappings(), Leases.live());
    }

    /**
     * What is held now and was not at {@code before}: one line per kind (fds opened and not closed,
     * as {@link #fdsOpenedSince(Map)}; more mapped bytes, mappings or leases than then). Empty
     * when nothing leaked. Fewer than then is not a leak here (work from before may have ended).
     *
     * <p>Threads: any; other threads' work counts too.
     */
    public static List<String> leaksSince(Usage before) {
        Objects.requireNonNull(before, "before");
        List<String> leaks = new ArrayList<>();
        Map<Integer, String> fds = fdsOpenedSince(before.fds());
        if (!fds.isEmpty()) {
            leaks.add("fds opened and not closed: " + fds);
        }
        more(leaks, "mapped bytes", before.mappedBytes(), mappedBytes());
        more(leaks, "live mappings", before.liveMappings(), liveMappings());
        more(leaks, "live leases", before.leases(), Leases.live());
        return List.copyOf(leaks);
    }

    private static void more(List<String> leaks, String what, long before, long now) {
        if (now > before) {
            leaks.add(what + ": " + now + ", " + (now - before) + " more than the " + before + " before");
        }
    }

    /** Bytes mapped through the native layer (device regions, dma-bufs, simulated memory) and not yet unmapped. */
    public static long mappedBytes() {
        return LibcKernel.mappedBytes();
    }

    /** Mappings made through the native layer and not yet unmapped. */
    public static long liveMappings() {
        return LibcKernel.liveMappings();
    }
}
