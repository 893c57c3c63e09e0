package io.github.scanout.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Console logging for the command line: one line per record on stderr, with the time, level and
 * logger ({@link #line}). Every record reaches the console through the OSGi Log service and the
 * launcher's one listener on it ({@link LogBridge}): SCR's, the bundles' {@code System.Logger}
 * and {@code java.util.logging}. The level is WARNING unless {@code --log-level} or
 * {@code SCANOUT_LOG} names another ({@code info}, {@code debug}, {@code trace}, {@code error},
 * {@code off}...); it is the Log service's default level ({@code org.osgi.service.log.admin.loglevel}),
 * and {@code conf/org.osgi.service.log.admin.cfg} sets levels per logger.
 *
 * <p>Every record is one line unless the level is {@code debug} or finer: a record's exception
 * is appended to its line as its chain of messages ({@link #chain}), not as a stack trace, and
 * SCR's records (an error whose exception wraps the component's own message) are folded to the
 * innermost message ({@link #entry}). An operator who drops a broken file into {@code conf/} or
 * {@code deploy/} sees one line naming the file and why.
 *
 * <p>Threads: {@link #configure} on the main thread, first; the rest from any.
 */
final class Logging {
    private Logging() {}

    static Level configure(String setting) {
        return configure(setting, journalStream(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2")));
    }

    /**
     * Whether stderr is systemd's journal: {@code JOURNAL_STREAM} ({@code device:inode}, set by
     * systemd for a service whose stderr goes to the journal) names the file stderr is. A child
     * that inherited the variable but writes elsewhere (a pipe, a file) keeps the time stamps.
     */
    static boolean journalStream(String journalStream, Path stderr) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        String[] f = journalStream.trim().split(":");
        if (f.length != 2) {
            return false;
        }
        try {
            long dev = Long.parseLong(f[0]);
            long ino = Long.parseLong(f[1]);
            Object d = Files.getAttribute(stderr, "unix:dev");
            Object i = Files.getAttribute(stderr, "unix:ino");
            return d instanceof Long dl && i instanceof Long il && dl == dev && il == ino;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException
                | SecurityException e) {
            return false;
        }
    }

    /**
     * Under the journal, each line starts with its syslog priority ({@code <3>} error,
     * {@code <4>} warning, {@code <6>} info, {@code <7>} debug) instead of the time: the journal
     * stamps the time itself and {@code journalctl -p warning} filters by it.
     */
    private static volatile boolean journal;

    static boolean journal() {
        return journal;
    }

    /** For tests: the journal's format on or off. */
    static void journal(boolean on) {
        journal = on;
    }

    /** The syslog priority prefix of a level, {@code <4>} for WARNING. */
    static String priority(Level level) {
        int v = level.intValue();
        int p = v >= Level.SEVERE.intValue() ? 3 : v >= Level.WARNING.intValue() ? 4 : v >= Level.INFO.intValue() ? 6 : 7;
        return "<" + p + ">";
    }

    private static volatile Level current = Level.WARNING;

    /** The console level: records below it are not printed (see {@link LogBridge#enabled}). */
    static Level level() {
        return current;
    }

    static Level configure(String setting, boolean underJournal) {
        journal = underJournal;
        return level(parse(setting));
    }

    /**
     * Sets the console level ({@code --log-level}): the level of {@code java.util.logging}'s root
     * logger, whose one handler logs through {@link LogBridge}, and the default level of the Log
     * service the framework starts with ({@link #osgiLevel}).
     */
    static Level level(Level level) {
        current = level;
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler || h instanceof LogBridge.JulHandler) {
                root.removeHandler(h);
            }
        }
        Handler bridge = new LogBridge.JulHandler();
        bridge.setLevel(Level.ALL);
        root.addHandler(bridge);
        // SCR's own console (only when it finds no Log service, which is installed before it)
        System.setProperty("scanout.ds.loglevel", level.intValue() <= Level.INFO.intValue() ? "warn" : "error");
        if (!(System.err instanceof Console)) {
            System.setErr(new Console(System.err));
        }
        return level;
    }

    /** Whether records carry their stack trace (debug or finer) instead of one line. */
    static boolean traces() {
        return current.intValue() <= Level.FINE.intValue();
    }

    /**
     * The OSGi {@code LogLevel} name of a level, for the Log service's default level:
     * {@code AUDIT} (nothing but audit records) for {@code off}.
     */
    static String osgiLevel(Level level) {
        int v = level.intValue();
        if (v == Level.OFF.intValue()) {
            return "AUDIT";
        }
        return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN"
                : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    private static final Object PRINT = new Object();

    /** Prints one line (or a record with its trace) on stderr. */
    static void print(String line) {
        synchronized (PRINT) {
            System.err.println(line);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    /** A {@code java.util.logging} record as {@link #line} prints it (for a handler of its own). */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            return line(r.getInstant(), r.getLevel(), r.getLoggerName(), formatMessage(r), r.getThrown())
                    + System.lineSeparator();
        }
    }

    /**
     * A record as one line: {@code HH:mm:ss.SSS LEVEL logger: message} (under the journal the
     * priority instead of the time), then, when it has an exception, {@code : } and the
     * exception's chain ({@link #chain}); at debug or finer, the stack trace on the lines after.
     */
    static String line(java.time.Instant time, Level level, String logger, String message, Throwable thrown) {
        String head = journal ? priority(level) : TIME.format(LocalTime.ofInstant(time, ZoneId.systemDefault())) + " ";
        String line = head + level.getName() + " " + (logger == null ? "" : logger) + ": " + (message == null ? "" : message);
        if (thrown != null && traces()) {
            StringWriter w = new StringWriter();
            thrown.printStackTrace(new java.io.PrintWriter(w));
            return flatten(line) + System.lineSeparator() + w.toString().stripTrailing();
        }
        if (thrown != null) {
            line += ": " + chain(thrown);
        }
        return flatten(line);
    }

    /** SCR's records: {@code bundle BSN:VERSION (ID)...}, as its logger prefixes each message. */
    private static final java.util.regex.Pattern SCR = java.util.regex.Pattern.compile("bundle \\S+ \\(\\d+\\).*", java.util.regex.Pattern.DOTALL);

    /** How long the same SCR line is not printed again. */
    static final long REPEAT_MILLIS = 60_000;
    private static final java.util.Map<String, Long> RECENT = new java.util.HashMap<>();

    /**
     * A Log service entry as one line ({@link #line}); null for a repeat. SCR's records (their
     * message starts with the bundle, {@code bundle BSN:VERSION (ID)[Component(N)] : ...}) are
     * printed as {@code LEVEL scr: Innermost: message (SCR's message)}: for a component that refused
     * its configuration, its own message naming the configuration, the key and the value. SCR
     * repeats an instantiation error each time something looks the service up (a new device
     * binding sinks is enough): the same warning or error (whatever the component instance; the
     * instance id is left out) within {@link #REPEAT_MILLIS} is printed once.
     */
    static String entry(java.time.Instant time, Level level, String logger, String message, Throwable thrown) {
        if (message == null || !SCR.matcher(message).matches()) {
            return line(time, level, logger, message, thrown);
        }
        // SCR's component instance ids ("...FileSinkComponent(12)]") differ from one retry to the
        // next; the line names the component without them, so a repeat is the same line
        String scr = message.replaceAll("\\(\\d+\\)\\]", "]");
        Throwable inner = thrown;
        while (inner != null && inner.getCause() != null && inner.getCause() != inner) {
            inner = inner.getCause();
        }
        String body = inner == null ? scr
                : simpleName(inner) + (message(inner) == null ? "" : ": " + message(inner)) + " (" + scr + ")";
        synchronized (RECENT) {
            if (level.intValue() < Level.WARNING.intValue()) {
                return line(time, level, "scr", body, traces() ? thrown : null);
            }
            long now = System.currentTimeMillis();
            RECENT.values().removeIf(t -> now - t > REPEAT_MILLIS);
            if (RECENT.putIfAbsent(body, now) != null) {
                return null;
            }
        }
        return line(time, level, "scr", body, traces() ? thrown : null);
    }

    /**
     * An exception and its causes on one line, each {@code SimpleName: message} once, joined by
     * {@code "; caused by "}; a wrapper that only repeats its cause
     * ({@code InvocationTargetException} without a message) is left out.
     */
    static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            String m = message(c);
            if ((m == null || (c.getCause() != null && m.equals(asString(c.getCause())))) && c.getCause() != null) {
                continue; // a bare wrapper
            }
            if (b.length() > 0) {
                b.append("; caused by ");
            }
            b.append(simpleName(c)).append(m == null ? "" : ": " + m);
        }
        return b.toString();
    }

    /**
     * The Log service keeps an exception of a bundle's class as a copy, Felix Log's
     * {@code LogException}, whose message is the original's {@code toString()}
     * ({@code fully.qualified.Name: message}): the name and message shown are the original's.
     */
    private static final String LOG_EXCEPTION = "org.apache.felix.log.LogException";
    private static final java.util.regex.Pattern ORIGINAL = java.util.regex.Pattern.compile("([\\w$]+(?:\\.[\\w$]+)+)(?:: (.*))?", java.util.regex.Pattern.DOTALL);

    private static java.util.regex.Matcher original(Throwable t) {
        if (!t.getClass().getName().equals(LOG_EXCEPTION) || t.getMessage() == null) {
            return null;
        }
        java.util.regex.Matcher m = ORIGINAL.matcher(t.getMessage());
        return m.matches() ? m : null;
    }

    /** The exception's simple class name (the original's for a Log service copy). */
    static String simpleName(Throwable t) {
        java.util.regex.Matcher m = original(t);
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        String type = m.group(1);
        return type.substring(type.lastIndexOf('.') + 1);
    }

    /** The exception's message (the original's for a Log service copy), or null. */
    static String message(Throwable t) {
        java.util.regex.Matcher m = original(t);
        if (m == null) {
            return t.getMessage();
        }
        return m.group(2) == null || m.group(2).equals("null") ? null : m.group(2);
    }

    /** {@code Throwable.toString()} of the exception (of the original for a Log service copy). */
    private static String asString(Throwable t) {
        return original(t) != null ? t.getMessage() : t.toString();
    }

    /** Line breaks and tabs inside a message become spaces: one record, one line. */
    static String flatten(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ');
    }

    /**
     * {@code System.err} under the journal: a line the launcher prints itself gets its syslog
     * priority ({@link #launcherPriority}); log records have theirs already ({@link #line}).
     * Elsewhere lines pass through unchanged.
     *
     * <p>Threads: any.
     */
    static final class Console extends PrintStream {
        Console(PrintStream to) {
            super(to, true);
        }

        @Override
        public void println(String x) {
            super.println(journal && x != null ? launcherPriority(x) + x : x);
        }

        /**
         * The priority prefix of a line the launcher prints itself under the journal: {@code <3>}
         * for {@code scanout: failed...}, {@code <4>} for a WARNING, none (the journal's default,
         * info) for the rest or a line that has one.
         */
        static String launcherPriority(String line) {
            if (line.startsWith("<")) {
                return "";
            }
            if (line.startsWith("scanout: failed") || line.startsWith("scanout: the runtime did not start")) {
                return "<3>";
            }
            if (line.startsWith("scanout: WARNING")) {
                return "<4>";
            }
            return "";
        }
    }

    /**
     * A {@code --log-level} value: {@code error}, {@code warn}, {@code info}, {@code debug},
     * {@code trace} or {@code off} (any case), or a {@code java.util.logging} level name.
     *
     * @throws IllegalArgumentException for anything else
     */
    static Level parseStrict(String setting) {
        String s = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "error", "warn", "warning", "info", "debug", "trace", "off", "severe", "fine", "finer", "finest", "all",
                    "config":
                return parse(s);
            default:
                throw new IllegalArgumentException("--log-level '" + setting
                        + "' is not a level; expected error, warn, info, debug, trace or off");
        }
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
