package io.github.scanout.sink.file.internal;

import io.github.scanout.api.support.Reporter;
import java.util.ArrayList;
import java.util.List;

/** A {@link Reporter} that keeps the sink's lines: warnings (and worse) apart from the rest. */
final class RecordingLog implements Reporter {
    final List<String> warnings = new ArrayList<>();
    final List<String> infos = new ArrayList<>();

    @Override
    public void report(System.Logger.Level level, String message) {
        (level.getSeverity() >= System.Logger.Level.WARNING.getSeverity() ? warnings : infos).add(message);
    }
}
