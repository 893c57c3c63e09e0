package io.github.scanout.runtime;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Console logging for the command line. The bundles log through {@code System.Logger}, which
 * goes to {@code java.util.logging}: one line per record on stderr, with the time, level and
 * logger. The level is WARNING unless {@code SCANOUT_LOG} names another ({@code info},
 * {@code debug}/{@code fine}, {@code error}/{@code severe}, {@code off}...). SCR logs its own
 * errors to the console ({@code ds.loglevel}: warn with SCANOUT_LOG=info or lower, else error).
 *
 * <p>Threads: call once, on the main thread, first.
 */
final class Logging {
    private Logging() {}

    static Level configure(String setting) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        Level level = parse(setting);
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setLevel(level);
            }
        }
        System.setProperty("scanout.ds.loglevel", level.intValue() <= Level.INFO.intValue() ? "warn" : "error");
        return level;
    }

    static Level parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return Level.WARNING;
        }
        switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "debug":
                return Level.FINE;
            case "trace":
                return Level.FINEST;
            case "error":
                return Level.SEVERE;
            case "warn":
                return Level.WARNING;
            default:
                try {
                    return Level.parse(setting.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    return Level.WARNING;
                }
        }
    }
}
