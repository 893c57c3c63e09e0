package io.github.scanout.api.support;

import java.util.Objects;

/**
 * Where a plane session's operator messages go: {@link System.Logger} in production
 * ({@link #system(String)}), a list in tests. Every message is one line that names the device
 * and the plane. Sessions report rarely: once per episode of transient errors, once per
 * fallback; never once per poll.
 *
 * <p>Threads: a session calls it on the capture thread, and on whatever thread closes a lease;
 * implementations must be thread-safe.
 */
@FunctionalInterface
public interface Reporter {

    /**
     * Reports one line at one level. Called on any thread; must not throw.
     *
     * @param level how much an operator should care
     * @param message one line, naming the device and the plane
     */
    void report(System.Logger.Level level, String message);

    /**
     * The production reporter: logs to {@link System.Logger} {@code name}. The result is
     * thread-safe.
     *
     * @param name the logger name, usually the plane source's configuration PID
     */
    static Reporter system(String name) {
        System.Logger logger = System.getLogger(Objects.requireNonNull(name, "name"));
        return logger::log;
    }
}
