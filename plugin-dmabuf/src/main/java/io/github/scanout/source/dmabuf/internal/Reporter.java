package io.github.scanout.source.dmabuf.internal;

import java.util.Objects;

/**
 * Where a session's operator messages go: {@link System.Logger} in production, a list in tests.
 * Every message is one line that names the device and the plane. Sessions report rarely: once
 * per episode of transient errors, once per fallback; never once per poll.
 *
 * <p>Threads: called on the capture thread, and on whatever thread closes a lease; must be
 * thread-safe.
 */
@FunctionalInterface
public interface Reporter {

    /** One line at one level. */
    void report(System.Logger.Level level, String message);

    /** The production reporter: {@link System.Logger} {@code name}. */
    static Reporter system(String name) {
        System.Logger logger = System.getLogger(Objects.requireNonNull(name, "name"));
        return logger::log;
    }
}
