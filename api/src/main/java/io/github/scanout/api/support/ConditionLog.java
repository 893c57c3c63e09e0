package io.github.scanout.api.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Keeps a condition that persists (the same error every tick, the same fallback every frame) to
 * one line: each distinct condition, named by a key, is reported the first time; afterwards it
 * is counted, and — unless made with {@link #once} — a summary line is written at most once per
 * summary period ("... (repeated 41 times in the last 10 s)"). {@link #clear(String)} ends a
 * condition, so it is reported again when it comes back. Summaries are written when the
 * condition recurs, when it is cleared and on {@link #flush()}: no timer thread.
 *
 * <p>At most {@value #MAX_KEYS} conditions are remembered; beyond that the least recently
 * reported one is forgotten.
 *
 * <p>Threads: thread-safe; lines go to the {@link Reporter} outside the lock.
 */
public final class ConditionLog {
    /** Conditions remembered at once. */
    public static final int MAX_KEYS = 256;

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

    private final Reporter out;
    private final LongSupplier nanoClock;
    private final long summaryNanos;
    private final Map<String, Condition> conditions = new LinkedHashMap<>(16, 0.75f, true);

    private ConditionLog(Reporter out, LongSupplier nanoClock, long summaryNanos) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.summaryNanos = summaryNanos;
    }

    /**
     * Reports each condition once, then a summary of its repeats at most every
     * {@code summaryNanos}.
     *
     * @param out where the lines go
     * @param nanoClock a monotonic clock, {@code System::nanoTime} in production
     * @param summaryNanos the summary period, more than 0
     * @return the log
     */
    public static ConditionLog summarizing(Reporter out, LongSupplier nanoClock, long summaryNanos) {
        if (summaryNanos <= 0) {
            throw new IllegalArgumentException("the summary period must be > 0 ns, got " + summaryNanos);
        }
        return new ConditionLog(out, nanoClock, summaryNanos);
    }

    /**
     * Reports each condition once, until it is {@linkplain #clear cleared}; repeats are not summarized.
     *
     * @param out where the lines go
     * @return the log
     */
    public static ConditionLog once(Reporter out) {
        return new ConditionLog(out, () -> 0L, -1);
    }

    /** {@return the reporter lines go to} */
    public Reporter reporter() {
        return out;
    }

    /**
     * {@link #report(System.Logger.Level, String, String, Throwable)} without a cause.
     *
     * @param level the level of the line
     * @param key what makes two reports "the same condition"
     * @param message the line
     * @return whether a line was written now
     */
    public boolean report(System.Logger.Level level, String key, String message) {
        return report(level, key, message, null);
    }

    /**
     * Reports a condition: written the first time, counted afterwards.
     *
     * @param level the level of the line
     * @param key what makes two reports "the same condition"
     * @param message the line, written the first time and repeated in summaries
     * @param thrown the cause, or {@code null}; only the first line carries it
     * @return whether a line was written now
     */
    public boolean report(System.Logger.Level level, String key, String message, Throwable thrown) {
        long now = nanoClock.getAsLong();
        String summary = null;
        Condition c;
        synchronized (conditions) {
            c = conditions.get(key);
            if (c == null) {
                if (conditions.size() >= MAX_KEYS) {
                    conditions.remove(conditions.keySet().iterator().next());
                }
                conditions.put(key, new Condition(level, message, now));
            } else {
                c.suppressed++;
                if (summaryNanos > 0 && now - c.windowStart >= summaryNanos) {
                    summary = summary(c, now);
                }
            }
        }
        if (c == null) {
            out.report(level, message, thrown);
            return true;
        }
        if (summary != null) {
            out.report(c.level, summary);
            return true;
        }
        return false;
    }

    /**
     * The condition ended: writes its pending summary, and the next report of it is written again.
     *
     * @param key the condition's key, as reported
     */
    public void clear(String key) {
        String summary = null;
        Condition c;
        synchronized (conditions) {
            c = conditions.remove(key);
            if (c != null && c.suppressed > 0 && summaryNanos > 0) {
                summary = summary(c, nanoClock.getAsLong());
            }
        }
        if (summary != null) {
            out.report(c.level, summary);
        }
    }

    /** Writes every pending summary (on close). */
    public void flush() {
        if (summaryNanos <= 0) {
            return;
        }
        Map<Condition, String> pending = new LinkedHashMap<>();
        synchronized (conditions) {
            long now = nanoClock.getAsLong();
            for (Condition c : conditions.values()) {
                if (c.suppressed > 0) {
                    pending.put(c, summary(c, now));
                }
            }
        }
        pending.forEach((c, line) -> out.report(c.level, line));
    }

    /**
     * Writes a line unconditionally (start-up, shutdown, state changes: things that happen once anyway).
     *
     * @param level the level of the line
     * @param message the line
     */
    public void always(System.Logger.Level level, String message) {
        out.report(level, message);
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
