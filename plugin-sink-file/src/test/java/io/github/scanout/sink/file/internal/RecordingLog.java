package io.github.scanout.sink.file.internal;

import java.util.ArrayList;
import java.util.List;

/** A {@link SinkLog} that keeps its lines. */
final class RecordingLog implements SinkLog {
    final List<String> warnings = new ArrayList<>();
    final List<String> infos = new ArrayList<>();

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    @Override
    public void info(String message) {
        infos.add(message);
    }
}
