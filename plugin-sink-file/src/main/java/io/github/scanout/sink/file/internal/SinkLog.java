package io.github.scanout.sink.file.internal;

/**
 * Where the sink's operator messages go: {@link System.Logger} in production, a list in tests.
 * Every message is one line and names the sink and the path.
 *
 * <p>Threads: called from the sink's delivery thread.
 */
public interface SinkLog {

    /** Something is wrong and frames are not being written. */
    void warn(String message);

    /** Something an operator may want to know (recovery, no signal). */
    void info(String message);

    /** The production log: logger {@code io.github.scanout.sink.file}. */
    static SinkLog system() {
        System.Logger logger = System.getLogger("io.github.scanout.sink.file");
        return new SinkLog() {
            @Override
            public void warn(String message) {
                logger.log(System.Logger.Level.WARNING, message);
            }

            @Override
            public void info(String message) {
                logger.log(System.Logger.Level.INFO, message);
            }
        };
    }
}
