package io.github.scanout.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Says when a {@code *.jar} in {@code deploy/} is not a jar at all (no zip header): FileInstall
 * passes over such a file without a word, at any log level. Checked when the runtime starts and
 * then every second while it runs (FileInstall's own poll), so a file dropped in later is named
 * too; each file once, and again only when it changes. A file changed in the last 2 seconds is
 * looked at later (a jar being copied in starts empty).
 *
 * <p>Written here rather than as a FileInstall {@code ArtifactListener}: FileInstall never offers
 * a file it cannot open as a jar to its listeners.
 *
 * <p>Threads: {@link #scan} on one thread at a time (the caller's at start, then the check's own
 * thread, {@code scanout-deploy-check}).
 */
final class DeployCheck implements AutoCloseable {
    static final long SETTLE_MILLIS = 2000;
    private static final System.Logger LOG = System.getLogger("io.github.scanout.runtime");

    private final Path dir;
    /** Files warned about, with the modification time they had then. */
    private final Map<Path, FileTime> warned = new HashMap<>();
    private ScheduledExecutorService timer;

    DeployCheck(Path dir) {
        this.dir = dir;
    }

    /** The one warning for such a file. */
    static String message(Path jar) {
        return jar + " is not a jar (it has no zip header): it is ignored; put the bundle's jar file there";
    }

    /** Warns about each not-a-zip jar not warned about yet (or changed since); returns how many it warned about. */
    synchronized int scan() {
        int n = 0;
        Set<Path> bad = new HashSet<>();
        try {
            long settled = System.currentTimeMillis() - SETTLE_MILLIS;
            for (Path jar : Distribution.notZips(dir)) {
                FileTime t;
                try {
                    t = Files.getLastModifiedTime(jar);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (t.toMillis() > settled) {
                    if (warned.containsKey(jar)) {
                        bad.add(jar);
                    }
                    continue; // still being written: next time
                }
                bad.add(jar);
                if (!t.equals(warned.get(jar))) {
                    warned.put(jar, t);
                    LOG.log(System.Logger.Level.WARNING, message(jar));
                    n++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return n; // deploy/ unreadable now: FileInstall says so; try again next time
        }
        warned.keySet().retainAll(bad);
        return n;
    }

    /** Scans every second on a daemon thread of its own until closed. */
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scanout-deploy-check");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::scan, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
