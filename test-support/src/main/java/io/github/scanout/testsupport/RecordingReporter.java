package io.github.scanout.testsupport;

import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Reporter} that keeps every line as {@code "LEVEL message"}, for tests that assert what
 * an operator would read.
 *
 * <p>Threads: any; {@link #lines()} is a snapshot.
 */
public final class RecordingReporter implements Reporter {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void report(System.Logger.Level level, String message) {
        lines.add(level + " " + message);
    }

    /** Every line so far, oldest first. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Forgets the lines so far. */
    public void clear() {
        lines.clear();
    }
}
