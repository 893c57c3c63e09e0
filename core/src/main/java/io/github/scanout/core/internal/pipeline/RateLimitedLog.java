package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;

/**
 * The pipeline's name for {@link ConditionLog} (summarizing): each distinct condition logged
 * once, then at most one summary line per condition every {@code summaryNanos}, never one line
 * per tick ({@code docs/abi.md} rule 2). Kept as a thin adapter, writing to a {@link LogSink}, so the pipeline classes that
 * take one need no change; they can take a {@link ConditionLog} directly and this class can go.
 *
 * <p>Threads: thread-safe.
 */
public final class RateLimitedLog {

    static final int MAX_KEYS = ConditionLog.MAX_KEYS;

    private final ConditionLog log;

    public RateLimitedLog(LogSink sink, Clock clock, long summaryNanos) {
        Reporter out = new Reporter() {
            @Override
            public void report(System.Logger.Level level, String message) {
                sink.log(level, message, null);
            }

            @Override
            public void report(System.Logger.Level level, String message, Throwable thrown) {
                sink.log(level, message, thrown);
            }
        };
        this.log = ConditionLog.summarizing(out, clock::nanoTime, summaryNanos);
    }

    /**
     * Reports a condition: logged the first time, counted afterwards.
     *
     * @param key what makes two reports "the same condition"
     * @return true when a line was written now
     */
    public boolean report(System.Logger.Level level, String key, String message, Throwable thrown) {
        return log.report(level, key, message, thrown);
    }

    /** The condition ended: writes its pending summary, and the next report of it is logged again. */
    public void clear(String key) {
        log.clear(key);
    }

    /** Writes every pending summary (on close). */
    public void flush() {
        log.flush();
    }

    /** Logs a line unconditionally (state changes an operator should see once). */
    public void always(System.Logger.Level level, String message) {
        log.always(level, message);
    }

    /** The shared type underneath. */
    public ConditionLog conditionLog() {
        return log;
    }
}
