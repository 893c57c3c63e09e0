package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test fixture: a {@link Reporter} that keeps every line, with its level. */
final class RecordingReporter implements Reporter {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void report(System.Logger.Level level, String message) {
        lines.add(level + " " + message);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    void clear() {
        lines.clear();
    }
}
