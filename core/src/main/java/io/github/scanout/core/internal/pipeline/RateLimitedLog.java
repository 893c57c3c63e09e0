package io.github.scanout.core.internal.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs each distinct condition once, then at most one summary line per condition every
 * {@code summaryNanos} ("... (repeated 41 times in the last 10 s)"), never one line per tick
 * ({@code docs/abi.md} rule 2). A condition is named by a key; {@link #clear(String)} ends it, so it
 * is reported again if it comes back. Summaries are written when the condition recurs, when it is
 * cleared and on {@link #flush()}: no timer thread.
 *
 * <p>At most {@value #MAX_KEYS} conditions are remembered; beyond that the oldest is forgotten.
 *
 * <p>Threads: thread-safe.
 */
public final class RateLimitedLog {

    static final int MAX_KEYS = 256;

    private static final class Condition {
        final System.Logger.Level level;
        final String message;
        long windowStart;
        long suppressed;

        Condition(System.Logger.Level level, String message, long now) {
            this.level = level;
            this.message = message;
            this.windowStart = now;
        }
    }

    private final LogSink sink;
    private final Clock clock;
    private final long summaryNanos;
    private final Map<String, Condition> conditions = new LinkedHashMap<>(16, 0.75f, true);

    public RateLimitedLog(LogSink sink, Clock clock, long summaryNanos) {
        this.sink = sink;
        this.clock = clock;
        this.summaryNanos = summaryNanos;
    }

    /**
     * Reports a condition: logged the first time, counted afterwards.
     *
     * @param key what makes two reports "the same condition"
     * @return true when a line was written now
     */
    public boolean report(System.Logger.Level level, String key, String message, Throwable thrown) {
        long now = clock.nanoTime();
        String summary = null;
        Condition c;
        synchronized (conditions) {
            c = conditions.get(key);
            if (c == null) {
                if (conditions.size() >= MAX_KEYS) {
                    String oldest = conditions.keySet().iterator().next();
                    conditions.remove(oldest);
                }
                conditions.put(key, new Condition(level, message, now));
            } else {
                c.suppressed++;
                if (now - c.windowStart >= summaryNanos) {
                    summary = summary(c, now);
                }
            }
        }
        if (c == null) {
            sink.log(level, message, thrown);
            return true;
        }
        if (summary != null) {
            sink.log(c.level, summary, null);
            return true;
        }
        return false;
    }

    /** The condition ended: writes its pending summary, and the next report of it is logged again. */
    public void clear(String key) {
        String summary = null;
        Condition c;
        synchronized (conditions) {
            c = conditions.remove(key);
            if (c != null && c.suppressed > 0) {
                summary = summary(c, clock.nanoTime());
            }
        }
        if (summary != null) {
            sink.log(c.level, summary, null);
        }
    }

    /** Writes every pending summary (on close). */
    public void flush() {
        Map<Condition, String> pending = new LinkedHashMap<>();
        synchronized (conditions) {
            long now = clock.nanoTime();
            for (Condition c : conditions.values()) {
                if (c.suppressed > 0) {
                    pending.put(c, summary(c, now));
                }
            }
        }
        pending.forEach((c, line) -> sink.log(c.level, line, null));
    }

    /** Logs a line unconditionally (state changes an operator should see once). */
    public void always(System.Logger.Level level, String message) {
        sink.log(level, message, null);
    }

    private static String summary(Condition c, long now) {
        long seconds = Math.max(1, (now - c.windowStart) / 1_000_000_000L);
        String line = c.message + " (repeated " + c.suppressed + (c.suppressed == 1 ? " time" : " times")
                + " in the last " + seconds + " s)";
        c.suppressed = 0;
        c.windowStart = now;
        return line;
    }
}
