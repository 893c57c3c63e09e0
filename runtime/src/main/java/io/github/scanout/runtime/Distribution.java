package io.github.scanout.runtime;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The distribution's directories ({@code bin/ lib/ bundles/ conf/ deploy/}) and the cache
 * directory (Felix's bundle cache, ConfigAdmin's store, JNA's and LWJGL's extracted natives,
 * temporary files): the only places the runtime writes to, besides the sinks' own targets.
 *
 * <p>The cache is, in this order: {@code -Dscanout.cache} (set by {@code bin/scanout} from
 * {@code $SCANOUT_CACHE}), {@code $XDG_RUNTIME_DIR/scanout} (per user, in memory, gone at
 * logout), else the distribution's {@code cache/}; when that cannot be written (a read-only
 * install run by root, cron or CI, where {@code XDG_RUNTIME_DIR} is unset),
 * {@code $XDG_CACHE_HOME/scanout}, else {@code ~/.cache/scanout}, and {@link #note()} says so.
 * {@code bin/scanout} makes the same choice (its class-data archive lives there) and passes it
 * on with {@code -Dscanout.cache}, and the fallback with {@code -Dscanout.cache.fallback}. Each process gets its own {@code run-<pid>}
 * directory under it, deleted when it exits; directories of processes that are gone are removed
 * at the next start.
 *
 * <p>Immutable; any thread.
 *
 * @param home the distribution's root (the parent of {@code bin/} and {@code lib/})
 * @param cache the cache directory
 * @param note one line saying why the cache is not where it usually is, empty when it is
 */
record Distribution(Path home, Path cache, String note) {

    Distribution(Path home, Path cache) {
        this(home, cache, "");
    }

    /**
     * The distribution this launcher runs from: {@code -Dscanout.home}, else the parent of the
     * directory holding the launcher jar.
     */
    static Distribution locate(Map<String, String> env) {
        String h = System.getProperty("scanout.home");
        Path home;
        if (h != null && !h.isBlank()) {
            home = Path.of(h);
        } else {
            try {
                Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                home = jar.getParent().getParent();
            } catch (URISyntaxException | RuntimeException e) {
                home = Path.of(".");
            }
        }
        return at(home.toAbsolutePath().normalize(), env);
    }

    /** The distribution at {@code home}, with the cache chosen from the environment. */
    static Distribution at(Path home, Map<String, String> env) {
        String c = System.getProperty("scanout.cache");
        String note = "";
        String unwritable = System.getProperty("scanout.cache.fallback");
        if (c != null && !c.isBlank() && unwritable != null && !unwritable.isBlank()) {
            note = fallbackNote(Path.of(unwritable), Path.of(c));
        }
        if (c == null || c.isBlank()) {
            c = env.get("SCANOUT_CACHE");
        }
        Path cache;
        if (c != null && !c.isBlank()) {
            cache = Path.of(c);
        } else if (env.get("XDG_RUNTIME_DIR") != null && !env.get("XDG_RUNTIME_DIR").isBlank()
                && Files.isDirectory(Path.of(env.get("XDG_RUNTIME_DIR")))) {
            cache = Path.of(env.get("XDG_RUNTIME_DIR"), "scanout");
        } else {
            cache = home.resolve("cache");
            if (!writable(cache)) {
                Path user = userCache(env);
                if (user != null) {
                    note = fallbackNote(cache, user);
                    cache = user;
                }
            }
        }
        return new Distribution(home, cache.toAbsolutePath().normalize(), note);
    }

    private static String fallbackNote(Path unwritable, Path used) {
        return "the distribution's cache directory " + unwritable + " cannot be written (a read-only install?);"
                + " using " + used + " ($XDG_CACHE_HOME/scanout, else ~/.cache/scanout; set SCANOUT_CACHE to choose)";
    }

    /** Whether {@code dir} exists and can be written, or can be created. */
    static boolean writable(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && Files.isDirectory(p) && Files.isWritable(p);
    }

    /** {@code $XDG_CACHE_HOME/scanout}, else {@code $HOME/.cache/scanout}; null without either. */
    static Path userCache(Map<String, String> env) {
        String x = env.get("XDG_CACHE_HOME");
        if (x != null && !x.isBlank() && Path.of(x).isAbsolute()) {
            return Path.of(x, "scanout");
        }
        String h = env.get("HOME");
        if (h == null || h.isBlank()) {
            h = System.getProperty("user.home");
        }
        return h == null || h.isBlank() ? null : Path.of(h, ".cache", "scanout");
    }

    Path bundles() {
        return home.resolve("bundles");
    }

    Path glBundles() {
        return bundles().resolve("gl");
    }

    /** The Prometheus endpoint, installed for --metrics or a conf/io.github.scanout.metrics configuration. */
    Path metricsBundles() {
        return bundles().resolve("metrics");
    }

    /** The web console, installed for --web or a conf/io.github.scanout.web configuration. */
    Path webBundles() {
        return bundles().resolve("web");
    }

    /** The VNC sink, installed when a vnc sink is asked for, conf/ configures one, or for the shell. */
    Path vncBundles() {
        return bundles().resolve("vnc");
    }

    /**
     * The video and stream sinks (GStreamer, from the system), installed when such a sink is asked
     * for or conf/ configures one.
     */
    Path videoBundles() {
        return bundles().resolve("video");
    }

    Path shellBundles() {
        return bundles().resolve("shell");
    }

    Path conf() {
        return home.resolve("conf");
    }

    Path deploy() {
        return home.resolve("deploy");
    }

    /** The jars directly in a directory, sorted by name; empty when it does not exist. */
    static List<Path> jars(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The {@code *.jar} files in {@code dir} that are not zip files (they do not start with the
     * zip signature PK 03 04): the framework would pass over them without a word.
     */
    static List<Path> notZips(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path jar : jars(dir)) {
            byte[] head = new byte[4];
            int n;
            try (java.io.InputStream in = Files.newInputStream(jar)) {
                n = in.readNBytes(head, 0, 4);
            }
            if (n < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
                out.add(jar);
            }
        }
        return out;
    }
}
