package io.github.scanout.core.internal.osgi;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what System.Logger writes (through java.util.logging) under some logger names. */
final class JulCapture extends Handler implements AutoCloseable {
    private final List<Logger> loggers = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();

    JulCapture(String... names) {
        for (String n : names) {
            Logger l = Logger.getLogger(n);
            l.addHandler(this);
            l.setLevel(Level.ALL);
            loggers.add(l);
        }
    }

    @Override
    public synchronized void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        for (Logger l : loggers) {
            l.removeHandler(this);
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized List<String> matching(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).toList();
    }
}
