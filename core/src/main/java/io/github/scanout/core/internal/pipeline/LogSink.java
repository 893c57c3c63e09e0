package io.github.scanout.core.internal.pipeline;

/**
 * Where the pipeline's log lines go: {@link System.Logger} by default, a list in tests.
 * Thread-safe.
 */
public interface LogSink {

    void log(System.Logger.Level level, String message, Throwable thrown);

    /** Lines to the {@code System.Logger} of this name. */
    static LogSink system(String loggerName) {
        System.Logger logger = System.getLogger(loggerName);
        return (level, message, thrown) -> {
            if (thrown == null) {
                logger.log(level, message);
            } else {
                logger.log(level, message, thrown);
            }
        };
    }
}
