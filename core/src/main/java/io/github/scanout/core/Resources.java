package io.github.scanout.core;

import io.github.scanout.core.internal.nativeio.LibcKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Bytes mapped through the native layer (device regions, dma-bufs, simulated memory) and not yet unmapped. */
    public static long mappedBytes() {
        return LibcKernel.mappedBytes();
    }

    /** Mappings made through the native layer and not yet unmapped. */
    public static long liveMappings() {
        return LibcKernel.liveMappings();
    }
}
