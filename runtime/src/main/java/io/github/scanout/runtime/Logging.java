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
 * Console logging for the command line. The bundles log through {@code System.Logger}, which
 * goes to {@code java.util.logging}: one line per record on stderr, with the time, level and
 * logger. The level is WARNING unless {@code SCANOUT_LOG} names another ({@code info},
 * {@code debug}/{@code fine}, {@code error}/{@code severe}, {@code off}...). SCR logs its own
 * errors to the console ({@code ds.loglevel}: warn with SCANOUT_LOG=info or lower, else error).
 *
 * <p>Every record is one line unless the level is {@code debug} or finer: a record's exception
 * is appended to its line as its chain of messages ({@link OneLine}), not as a stack trace, and
 * SCR's console records (an error with a stack trace, printed by SCR straight to
 * {@code System.err}) are folded the same way ({@link ScrConsole}). An operator who drops a
 * broken file into {@code conf/} or {@code deploy/} sees one line naming the file and why.
 *
 * <p>Threads: call once, on the main thread, first.
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

    static Level configure(String setting, boolean underJournal) {
        journal = underJournal;
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        Level level = parse(setting);
        boolean traces = level.intValue() <= Level.FINE.intValue();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setLevel(level);
                if (!traces) {
                    h.setFormatter(new OneLine());
                }
            }
        }
        System.setProperty("scanout.ds.loglevel", level.intValue() <= Level.INFO.intValue() ? "warn" : "error");
        if (!traces && !(System.err instanceof ScrConsole)) {
            System.setErr(new ScrConsole(System.err));
        }
        return level;
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    /**
     * A log record as one line: {@code HH:mm:ss.SSS LEVEL logger: message}, then, when it has an
     * exception, {@code : } and the exception's chain ({@link #chain}).
     */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String time = journal ? priority(r.getLevel()) : TIME.format(LocalTime.ofInstant(r.getInstant(), ZoneId.systemDefault())) + " ";
            String msg = formatMessage(r);
            String line = time + r.getLevel().getName() + " " + (r.getLoggerName() == null ? "" : r.getLoggerName())
                    + ": " + (msg == null ? "" : msg);
            if (r.getThrown() != null) {
                line += ": " + chain(r.getThrown());
            }
            return flatten(line) + System.lineSeparator();
        }
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
            String m = c.getMessage();
            if ((m == null || (c.getCause() != null && m.equals(c.getCause().toString()))) && c.getCause() != null) {
                continue; // a bare wrapper
            }
            if (b.length() > 0) {
                b.append("; caused by ");
            }
            b.append(c.getClass().getSimpleName()).append(m == null ? "" : ": " + m);
        }
        return b.toString();
    }

    /** Line breaks and tabs inside a message become spaces: one record, one line. */
    static String flatten(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ');
    }

    /**
     * {@code System.err} for SCR: SCR (without an OSGi log service) prints each record with one
     * {@code println} of {@code "LEVEL : message"}, followed by the stack trace when there is an
     * exception. Such a record is printed as one line: the time, {@code scr:}, the innermost
     * exception's message (for a component that refused its configuration, the component's own
     * message naming the configuration, the key and the value), then SCR's message in brackets.
     * A record without a trace (SCR's {@code ERROR : ... Invalid syntax in target property ...})
     * is printed as one line too. SCR repeats an instantiation error each time something looks
     * the service up (a new device binding sinks is enough): the same line (whatever the
     * component instance; the instance id is left out) within {@link #REPEAT_MILLIS} is printed
     * once. Everything else passes through unchanged.
     *
     * <p>Threads: any; one record is printed under the stream's lock.
     */
    static final class ScrConsole extends PrintStream {
        static final long REPEAT_MILLIS = 60_000;
        private static final java.util.regex.Pattern RECORD =
                java.util.regex.Pattern.compile("(ERROR|WARN|INFO|DEBUG|TRACE|AUDIT) *: (.*)");
        private final java.util.Map<String, Long> recent = new java.util.HashMap<>();

        ScrConsole(PrintStream to) {
            super(to, true);
        }

        @Override
        public void println(Object x) {
            String folded = x instanceof StringWriter || x instanceof String ? fold(String.valueOf(x)) : null;
            if (folded == null) {
                super.println(x);
            } else if (!folded.isEmpty()) {
                super.println(folded);
            }
        }

        @Override
        public void println(String x) {
            String folded = x == null ? null : fold(x);
            if (folded == null) {
                super.println(journal && x != null ? launcherPriority(x) + x : x);
            } else if (!folded.isEmpty()) {
                super.println(folded);
            }
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

        /** The record as one line; "" for a repeat; null when it is not an SCR record with a trace. */
        synchronized String fold(String text) {
            int nl = text.indexOf('\n');
            java.util.regex.Matcher m = RECORD.matcher((nl < 0 ? text : text.substring(0, nl)).strip());
            if (!m.matches()) {
                return null;
            }
            String[] lines = text.split("\r?\n");
            String cause = null;
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i].strip();
                if (l.startsWith("Caused by: ")) {
                    cause = l.substring("Caused by: ".length());
                } else if (cause == null && i == 1 && !l.startsWith("at ")) {
                    cause = l;
                }
            }
            String level = switch (m.group(1)) {
                case "ERROR" -> "SEVERE";
                case "WARN" -> "WARNING";
                default -> m.group(1);
            };
            // SCR's component instance ids ("...FileSinkComponent(12)]") differ from one retry to
            // the next; the line names the component without them, so a repeat is the same line
            String scr = m.group(2).replaceAll("\\(\\d+\\)\\]", "]");
            String body = (cause == null ? "" : simpleName(cause) + " (") + scr + (cause == null ? "" : ")");
            long now = System.currentTimeMillis();
            recent.values().removeIf(t -> now - t > REPEAT_MILLIS);
            if (recent.putIfAbsent(body, now) != null) {
                return "";
            }
            String head = journal ? priority(Level.parse(level.equals("DEBUG") ? "FINE" : level.equals("TRACE") ? "FINEST"
                    : level.equals("AUDIT") ? "INFO" : level)) : TIME.format(LocalTime.now()) + " ";
            return flatten(head + level + " scr: " + body);
        }

        /** {@code java.lang.IllegalArgumentException: msg} as {@code IllegalArgumentException: msg}. */
        private static String simpleName(String exceptionLine) {
            int colon = exceptionLine.indexOf(':');
            String type = colon < 0 ? exceptionLine : exceptionLine.substring(0, colon);
            int dot = type.lastIndexOf('.');
            return dot < 0 || type.contains(" ") ? exceptionLine : exceptionLine.substring(dot + 1);
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
