package io.github.scanout.core.testing;

import io.github.scanout.api.support.Reporter;
import java.util.ArrayList;
import java.util.List;

/** Collects log lines (level and text) for assertions; also prints them to stderr. */
public final class TestLog implements Reporter {
    private final List<String> lines = new ArrayList<>();

    @Override
    public void report(System.Logger.Level level, String message) {
        report(level, message, null);
    }

    @Override
    public synchronized void report(System.Logger.Level level, String message, Throwable thrown) {
        lines.add(level + " " + message);
        System.err.println("[log] " + level + " " + message + (thrown == null ? "" : " (" + thrown + ")"));
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }
}
