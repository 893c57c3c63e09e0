package io.github.scanout.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;

/**
 * The one route of log records to the console: the OSGi Log service (Felix Log,
 * {@code bundles/org.apache.felix.log.jar}) receives every record and ONE {@code LogListener},
 * registered here on its {@code LogReaderService}, prints each entry whose logger's level (the
 * Log service's {@code LoggerAdmin}) enables it in the launcher's one-line format
 * ({@link Logging#line}). The Log service's own entries for bundle, service and framework events
 * ({@code Events.Bundle.BSN}, {@code Events.Service.BSN}, {@code Events.Framework.BSN}), logged
 * at INFO, are treated as debug records (one per service registered: detail, not state), filtered
 * by the same levels.
 *
 * <ul>
 *   <li>SCR logs to the Log service by itself once it is there (it is installed before SCR);
 *       its records (message {@code bundle BSN:VERSION (ID)[Component(N)] : ...}) are printed
 *       as {@code LEVEL scr: Innermost: message (SCR's message)}, a repeat within a minute once.</li>
 *   <li>{@code System.Logger} (what the bundles log with) goes to the Log service through
 *       {@link Finder}; {@code java.util.logging} (FileInstall, the JDK) through
 *       {@link JulHandler}. Both are logged under the system bundle with their own logger name,
 *       and both ask the Log service's {@code LoggerAdmin} whether a level is enabled, so
 *       per-logger levels ({@code conf/org.osgi.service.log.admin.cfg}) apply to them.</li>
 *   <li>Without a Log service (before the framework starts, after it stops, or in a unit test) a
 *       record at or above the console level ({@link Logging#level()}) is printed directly.</li>
 * </ul>
 *
 * <p>The Log service delivers entries to listeners on its own thread, so a line may follow the
 * record by a moment; {@link #flush()} waits until what was logged before it has been printed
 * (the launcher calls it before its last lines, and it runs when the Log bundle stops, which
 * would drop what it had not delivered).
 *
 * <p>The launcher's class loader does not see {@code org.osgi.service.log} (the Log bundle
 * exports it), so, as {@link ConfigAdminClient} does, the calls go through the interface classes
 * loaded from the bundle that registered the service.
 *
 * <p>Threads: any; one connection at a time (one framework per process).
 */
final class LogBridge {
    static final String READER = "org.osgi.service.log.LogReaderService";
    static final String FACTORY = "org.osgi.service.log.LoggerFactory";
    /** The logger of {@link #flush()}'s markers (logged at AUDIT, never printed). */
    static final String FLUSH = "io.github.scanout.runtime.LogBridge.flush";

    private LogBridge() {}

    private static volatile Connection connection;
    private static final AtomicLong MARKS = new AtomicLong();
    private static final Map<String, CountDownLatch> PENDING = new ConcurrentHashMap<>();
    private static volatile Thread listenerThread;

    /** Whether entries currently go through a Log service. */
    static boolean connected() {
        return connection != null;
    }

    /**
     * Watches the framework (from its system bundle's context, before it starts) for the Log
     * service: the listener is added when the {@code LogReaderService} registers, so every entry
     * from the bundles that start after it is printed.
     */
    static void attach(BundleContext system) {
        AllServiceListener l = e -> {
            ServiceReference<?> ref = e.getServiceReference();
            if (e.getType() == ServiceEvent.REGISTERED) {
                connect(system, ref);
            } else if (e.getType() == ServiceEvent.UNREGISTERING) {
                Connection c = connection;
                if (c != null && c.reader.equals(ref)) {
                    flush();
                    connection = null;
                }
            }
        };
        try {
            system.addServiceListener(l, "(objectClass=" + READER + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        // the Log bundle stopping drops what its thread has not delivered: print that first
        system.addBundleListener((SynchronousBundleListener) e -> {
            Connection c = connection;
            if (e.getType() == BundleEvent.STOPPING && c != null && e.getBundle().equals(c.reader.getBundle())) {
                flush();
                connection = null;
            }
        });
    }

    private static void connect(BundleContext system, ServiceReference<?> readerRef) {
        try {
            Bundle logBundle = readerRef.getBundle();
            ServiceReference<?>[] factories = system.getAllServiceReferences(FACTORY, null);
            if (logBundle == null || factories == null || factories.length == 0) {
                return;
            }
            Class<?> listenerType = logBundle.loadClass("org.osgi.service.log.LogListener");
            Class<?> entryType = logBundle.loadClass("org.osgi.service.log.LogEntry");
            Class<?> readerType = logBundle.loadClass(READER);
            Class<?> factoryType = logBundle.loadClass(FACTORY);
            Class<?> loggerType = logBundle.loadClass("org.osgi.service.log.Logger");
            Entries entries = new Entries(entryType);
            Object reader = system.getService(readerRef);
            Object factory = system.getService(factories[0]);
            Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                    new Listener(entries));
            Connection c = new Connection(readerRef, factory, factoryType.getMethod("getLogger", String.class), loggerType);
            readerType.getMethod("addLogListener", listenerType).invoke(reader, listener);
            connection = c;
        } catch (ReflectiveOperationException | InvalidSyntaxException | RuntimeException e) {
            Logging.print(Logging.line(Instant.now(), Level.WARNING, "io.github.scanout.runtime",
                    "the OSGi Log service cannot be used; records are printed directly", e));
        }
    }

    /** The Log service as the launcher reaches it. */
    private static final class Connection {
        final ServiceReference<?> reader;
        final Object factory;
        final Method getLogger;
        final Method[] enabled = new Method[6];
        final Method[] log = new Method[6];
        final Map<String, Object> loggers = new ConcurrentHashMap<>();

        Connection(ServiceReference<?> reader, Object factory, Method getLogger, Class<?> loggerType)
                throws NoSuchMethodException {
            this.reader = reader;
            this.factory = factory;
            this.getLogger = getLogger;
            String[] names = {"trace", "debug", "info", "warn", "error", "audit"};
            for (int i = 0; i < names.length; i++) {
                String n = names[i];
                if (i < 5) {
                    enabled[i] = loggerType.getMethod("is" + Character.toUpperCase(n.charAt(0)) + n.substring(1) + "Enabled");
                }
                log[i] = loggerType.getMethod(n, String.class, Object[].class);
            }
        }

        Object logger(String name) {
            return loggers.computeIfAbsent(name == null || name.isEmpty() ? "ROOT" : name, n -> {
                try {
                    return getLogger.invoke(factory, n);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        boolean enabled(String name, int level) {
            try {
                return level == 5 || (Boolean) enabled[level].invoke(logger(name));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return level >= 3;
            }
        }

        void log(String name, int level, String message, Throwable thrown) throws ReflectiveOperationException {
            // the OSGi Logger reads {} as a placeholder: a message's own braces are escaped
            String m = message == null ? "" : message.replace("{}", "\\{}");
            log[level].invoke(logger(name), m, thrown == null ? new Object[0] : new Object[] {thrown});
        }
    }

    /** 0 trace, 1 debug, 2 info, 3 warn, 4 error: the OSGi level of a JUL level. */
    static int osgi(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? 4 : v >= Level.WARNING.intValue() ? 3 : v >= Level.INFO.intValue() ? 2
                : v >= Level.FINE.intValue() ? 1 : 0;
    }

    /** The JUL level printed for an OSGi {@code LogLevel} name. */
    static Level jul(String osgiLevel) {
        return switch (osgiLevel) {
            case "ERROR" -> Level.SEVERE;
            case "WARN" -> Level.WARNING;
            case "INFO", "AUDIT" -> Level.INFO;
            case "DEBUG" -> Level.FINE;
            default -> Level.FINEST;
        };
    }

    /** Whether a record of this logger and level would be printed. */
    static boolean enabled(String logger, Level level) {
        if (level.intValue() == Level.OFF.intValue()) {
            return false;
        }
        Connection c = connection;
        return c == null ? level.intValue() >= Logging.level().intValue() : c.enabled(logger, osgi(level));
    }

    /** Logs a record: to the Log service when there is one, else printed at once when enabled. */
    static void log(String logger, Level level, String message, Throwable thrown) {
        if (level.intValue() == Level.OFF.intValue()) {
            return;
        }
        Connection c = connection;
        if (c != null) {
            int l = osgi(level);
            if (!c.enabled(logger, l)) {
                return;
            }
            try {
                c.log(logger, l, message, thrown);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the Log service went away in between: printed directly below
            }
        }
        if (level.intValue() >= Logging.level().intValue()) {
            Logging.print(Logging.line(Instant.now(), level, logger, message, thrown));
        }
    }

    /**
     * Waits (up to two seconds) until every entry logged before this call has been printed. No
     * wait without a Log service or on its delivery thread.
     */
    static void flush() {
        Connection c = connection;
        if (c == null || Thread.currentThread() == listenerThread) {
            return;
        }
        String mark = "flush " + MARKS.incrementAndGet();
        CountDownLatch done = new CountDownLatch(1);
        PENDING.put(mark, done);
        try {
            c.log(FLUSH, 5, mark, null);
            done.await(2, TimeUnit.SECONDS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            PENDING.remove(mark);
        }
    }

    /** Reads a {@code LogEntry} through its interface. */
    private static final class Entries {
        final Method level;
        final Method loggerName;
        final Method message;
        final Method exception;
        final Method time;
        final Method bundle;

        Entries(Class<?> entryType) throws NoSuchMethodException {
            level = entryType.getMethod("getLogLevel");
            loggerName = entryType.getMethod("getLoggerName");
            message = entryType.getMethod("getMessage");
            exception = entryType.getMethod("getException");
            time = entryType.getMethod("getTime");
            bundle = entryType.getMethod("getBundle");
        }
    }

    /** The LogListener: one entry, one line ({@link Logging#entry}). */
    private static final class Listener implements InvocationHandler {
        private final Entries entries;

        Listener(Entries entries) {
            this.entries = entries;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "scanout console log listener";
                case "logged":
                    listenerThread = Thread.currentThread();
                    logged(args[0]);
                    return null;
                default:
                    return null;
            }
        }

        private void logged(Object entry) {
            try {
                String logger = (String) entries.loggerName.invoke(entry);
                String message = (String) entries.message.invoke(entry);
                if (FLUSH.equals(logger)) {
                    CountDownLatch l = PENDING.get(message);
                    if (l != null) {
                        l.countDown();
                    }
                    return;
                }
                Level level = jul(((Enum<?>) entries.level.invoke(entry)).name());
                if (logger != null && logger.startsWith("Events.") && level == Level.INFO) {
                    // the Log service's record of every bundle and service event: debug detail
                    level = Level.FINE;
                }
                Throwable thrown = (Throwable) entries.exception.invoke(entry);
                Bundle b = (Bundle) entries.bundle.invoke(entry);
                if ((logger == null || logger.equals("ROOT")) && b != null && b.getBundleId() != 0) {
                    logger = b.getSymbolicName();
                } else if (logger != null && logger.startsWith("LogService.")) {
                    // a bundle that logs with the old LogService (FileInstall): under its name
                    logger = logger.substring("LogService.".length());
                }
                // the Log service records bundle, service and framework events (Events.Bundle.BSN...)
                // whatever the levels: the levels apply here to every entry alike
                if (!enabled(logger, level)) {
                    return;
                }
                Instant time = Instant.ofEpochMilli((Long) entries.time.invoke(entry));
                String line = Logging.entry(time, level, logger, message, thrown);
                if (line != null) {
                    Logging.print(line);
                }
            } catch (InvocationTargetException | IllegalAccessException | RuntimeException e) {
                Logging.print(Logging.line(Instant.now(), Level.WARNING, "io.github.scanout.runtime",
                        "a log entry could not be read", e));
            }
        }
    }

    /**
     * {@code System.Logger} for the bundles and the launcher: each logger asks {@link LogBridge}
     * whether its level is enabled and logs there (listed in
     * {@code META-INF/services/java.lang.System$LoggerFinder}, found by the JDK on the class path).
     */
    public static final class Finder extends System.LoggerFinder {
        /**
         * Whether the OSGi framework API is on this class path: it is in the launcher; a JVM that
         * only has the runtime jar among its libraries (a test's, an embedding application's)
         * gets plain {@code java.util.logging} loggers instead of a {@code NoClassDefFoundError}.
         */
        private static final boolean OSGI = osgiPresent();

        private static boolean osgiPresent() {
            try {
                Class.forName("org.osgi.framework.BundleContext", false, Finder.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        @Override
        public System.Logger getLogger(String name, Module module) {
            return OSGI ? new BridgeLogger(name) : new JulLogger(name);
        }
    }

    /** A {@code System.Logger} over {@code java.util.logging}: the JDK's own default, for a JVM without OSGi. */
    record JulLogger(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(System.Logger.Level level) {
            return java.util.logging.Logger.getLogger(name).isLoggable(BridgeLogger.jul(level));
        }

        @Override
        public void log(System.Logger.Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
            java.util.logging.Logger.getLogger(name).log(BridgeLogger.jul(level), BridgeLogger.localized(bundle, msg),
                    thrown);
        }

        @Override
        public void log(System.Logger.Level level, java.util.ResourceBundle bundle, String format, Object... params) {
            java.util.logging.Logger.getLogger(name).log(BridgeLogger.jul(level), BridgeLogger.localized(bundle, format),
                    params);
        }
    }

    /** A {@code System.Logger} that logs through {@link LogBridge}. */
    record BridgeLogger(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(System.Logger.Level level) {
            return enabled(name, jul(level));
        }

        @Override
        public void log(System.Logger.Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
            LogBridge.log(name, jul(level), localized(bundle, msg), thrown);
        }

        @Override
        public void log(System.Logger.Level level, java.util.ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) {
                return;
            }
            String f = localized(bundle, format);
            String msg = params == null || params.length == 0 ? f : java.text.MessageFormat.format(f, params);
            LogBridge.log(name, jul(level), msg, null);
        }

        private static String localized(java.util.ResourceBundle bundle, String msg) {
            if (bundle != null && msg != null && bundle.containsKey(msg)) {
                return bundle.getString(msg);
            }
            return msg;
        }

        static java.util.logging.Level jul(System.Logger.Level level) {
            return switch (level) {
                case ALL -> java.util.logging.Level.ALL;
                case TRACE -> java.util.logging.Level.FINER;
                case DEBUG -> java.util.logging.Level.FINE;
                case INFO -> java.util.logging.Level.INFO;
                case WARNING -> java.util.logging.Level.WARNING;
                case ERROR -> java.util.logging.Level.SEVERE;
                case OFF -> java.util.logging.Level.OFF;
            };
        }
    }

    /** The root {@code java.util.logging} handler: each record logged through {@link LogBridge}. */
    static final class JulHandler extends java.util.logging.Handler {
        private final java.util.logging.Formatter messages = new java.util.logging.SimpleFormatter();

        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r == null || !isLoggable(r)) {
                return;
            }
            LogBridge.log(r.getLoggerName(), r.getLevel(), messages.formatMessage(r), r.getThrown());
        }

        @Override
        public void flush() {
            // lines are printed as they come
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
