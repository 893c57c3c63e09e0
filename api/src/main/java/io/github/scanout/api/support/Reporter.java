package io.github.scanout.api.support;

import java.util.Objects;

/**
 * Where operator messages go: {@link System.Logger} in production ({@link #system(String)}), a
 * list in tests. The one logging facility of Scanout's plane sources, sinks and pipeline: every
 * message is one line that names what it is about (the device and plane, the sink and path).
 * Callers report rarely: once per episode of transient errors, once per fallback, never once per
 * poll or frame; {@link ConditionLog} keeps a condition that persists to one line.
 *
 * <p>Threads: implementations must be thread-safe (sessions report on the capture thread and on
 * whatever thread closes a lease, sinks on their delivery threads).
 */
@FunctionalInterface
public interface Reporter {

    /**
     * Reports one line at one level. Called on any thread; must not throw.
     *
     * @param level how much an operator should care
     * @param message one line, naming what it is about
     */
    void report(System.Logger.Level level, String message);

    /**
     * Reports one line with the exception that caused it. The default appends the exception's
     * class and message to the line; {@link #system} logs the stack trace as well.
     *
     * @param level how much an operator should care
     * @param message one line, naming what it is about
     * @param thrown the cause, or {@code null}
     */
    default void report(System.Logger.Level level, String message, Throwable thrown) {
        report(level, thrown == null ? message : message + " (" + thrown + ")");
    }

    /**
     * {@link #report} at WARNING: something is wrong and work is not being done.
     *
     * @param message one line, naming what it is about
     */
    default void warn(String message) {
        report(System.Logger.Level.WARNING, message);
    }

    /**
     * {@link #report} at INFO: something an operator may want to know (a recovery, a fallback).
     *
     * @param message one line, naming what it is about
     */
    default void info(String message) {
        report(System.Logger.Level.INFO, message);
    }

    /**
     * This reporter with a prefix in front of every line.
     *
     * @param prefix the prefix, with its separator ({@code "gl sink vm1: "})
     * @return a reporter that writes through this one
     */
    default Reporter prefixed(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        Reporter self = this;
        return new Reporter() {
            @Override
            public void report(System.Logger.Level level, String message) {
                self.report(level, prefix + message);
            }

            @Override
            public void report(System.Logger.Level level, String message, Throwable thrown) {
                self.report(level, prefix + message, thrown);
            }
        };
    }

    /**
     * The production reporter: logs to {@link System.Logger} {@code name}, with stack traces of
     * reported exceptions. The result is thread-safe.
     *
     * @param name the logger name, usually the component's configuration PID
     * @return the reporter
     */
    static Reporter system(String name) {
        System.Logger logger = System.getLogger(Objects.requireNonNull(name, "name"));
        return new Reporter() {
            @Override
            public void report(System.Logger.Level level, String message) {
                logger.log(level, message);
            }

            @Override
            public void report(System.Logger.Level level, String message, Throwable thrown) {
                if (thrown == null) {
                    logger.log(level, message);
                } else {
                    logger.log(level, message, thrown);
                }
            }

            @Override
            public String toString() {
                return "Reporter.system(" + name + ")";
            }
        };
    }
}
