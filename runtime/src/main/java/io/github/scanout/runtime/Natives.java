package io.github.scanout.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps the files libraries write on their own inside the cache: JNA extracts
 * {@code libjnidispatch.so} to {@code jna.tmpdir} (else {@code ~/.cache/JNA}), LWJGL its natives
 * to {@code org.lwjgl.system.SharedLibraryExtractPath} (else {@code /tmp/lwjgl_<user>}), and
 * temporary files go to {@code java.io.tmpdir} (always this process's run directory). The first two
 * keep a value set with {@code -D}.
 *
 * <p>Threads: call once, on the main thread, before the framework starts.
 */
final class Natives {
    private Natives() {}

    static void configure(Path cache, Path runDirectory) {
        set("jna.tmpdir", cache.resolve("jna"));
        set("org.lwjgl.system.SharedLibraryExtractPath", cache.resolve("lwjgl"));
        set("java.io.tmpdir", runDirectory.resolve("tmp"));
    }

    private static void set(String property, Path dir) {
        if (property.equals("java.io.tmpdir") || System.getProperty(property) == null) {
            try {
                Files.createDirectories(dir);
                System.setProperty(property, dir.toString());
            } catch (IOException e) {
                // the library's default stays; it reports its own failure if it needs the directory
            }
        }
    }
}
