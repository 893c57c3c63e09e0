package io.github.scanout.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Tells systemd how the service is doing ({@code sd_notify(3)}), when {@code NOTIFY_SOCKET} is
 * set (a unit with {@code Type=notify}); does nothing otherwise.
 *
 * <ul>
 *   <li>{@code READY=1} once every configured device is live or has said why not (a state other
 *       than {@code STARTING}), or after {@link #READY_TIMEOUT} in any case, so that one device
 *       that never settles does not fail the whole start;
 *   <li>{@code STATUS=} a one-line summary, sent when it changes ({@link #summary});
 *   <li>{@code WATCHDOG=1} every half {@code WATCHDOG_USEC}, while the framework runs and every
 *       pipeline's capture loop is polling ({@link Watchdog}); a loop that has not polled for
 *       {@link #STUCK} is stuck and the pings stop, so systemd restarts the service;
 *   <li>{@code STOPPING=1} when the stop begins.
 * </ul>
 *
 * <p>systemd's notify socket takes datagrams, which the JDK cannot send over {@code AF_UNIX}:
 * core's {@code UnixDatagram} (JNA, in the core bundle) sends them, called reflectively as
 * {@link Pipelines} reads the pipelines. A datagram that cannot be sent is said once on stderr.
 *
 * <p>Threads: {@link #start} starts one daemon thread, {@code scanout-systemd}; {@link #stopping}
 * from any thread.
 */
final class Systemd implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STUCK = Duration.ofSeconds(60);
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(2);
    static final int STATUS_MAX = 240;

    /** Sends one notification; throws when it could not. */
    interface Sender {
        void send(String message) throws IOException;
    }

    private final Sender sender;
    private final long watchdogNanos;
    private final Supplier<List<Pipelines.Stats>> pipelines;
    private final IntSupplier expected;
    private final Supplier<Boolean> frameworkActive;
    private final PrintStream err;
    private final Watchdog watchdog = new Watchdog(STUCK.toNanos());
    private volatile boolean closed;
    private boolean failedOnce;
    private Thread thread;
    private String lastStatus = "";
    private boolean ready;

    Systemd(Sender sender, long watchdogNanos, Supplier<List<Pipelines.Stats>> pipelines, IntSupplier expected,
            Supplier<Boolean> frameworkActive, PrintStream err) {
        this.sender = sender;
        this.watchdogNanos = watchdogNanos;
        this.pipelines = pipelines;
        this.expected = expected;
        this.frameworkActive = frameworkActive;
        this.err = err;
    }

    /**
     * The notifier for this process, or null when systemd did not ask ({@code NOTIFY_SOCKET}
     * unset).
     *
     * @param expected how many device pipelines the configuration asks for
     */
    static Systemd of(Map<String, String> env, BundleContext ctx, IntSupplier expected, Supplier<Boolean> active,
            PrintStream err) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return null;
        }
        return new Systemd(m -> send(ctx, socket, m), watchdogNanos(env, ProcessHandle.current().pid(),
                ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)),
                () -> Pipelines.all(ctx), expected, active, err);
    }

    /**
     * {@code WATCHDOG_USEC} in nanoseconds, 0 when no watchdog is asked for this process.
     * {@code WATCHDOG_PID} names the service's main process: this one, or the launcher script
     * when it runs Java as its child (the start that dumps the class-data archive); the unit's
     * {@code NotifyAccess=all} lets the child's pings count.
     */
    static long watchdogNanos(Map<String, String> env, long self, long parent) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null) {
            return 0;
        }
        String pid = env.get("WATCHDOG_PID");
        if (pid != null && !pid.isEmpty()) {
            try {
                long p = Long.parseLong(pid.trim());
                if (p != self && p != parent) {
                    return 0;
                }
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        try {
            long u = Long.parseLong(usec.trim());
            return u > 0 ? u * 1000 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void send(BundleContext ctx, String socket, String message) throws IOException {
        Method m = sendMethod(ctx);
        try {
            m.invoke(null, socket, message);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException(c.toString(), c);
        } catch (IllegalAccessException e) {
            throw new IOException(e.toString(), e);
        }
    }

    private static Method method;

    private static synchronized Method sendMethod(BundleContext ctx) throws IOException {
        if (method == null) {
            for (Bundle b : ctx.getBundles()) {
                if ("io.github.scanout.core".equals(b.getSymbolicName())) {
                    try {
                        method = b.loadClass("io.github.scanout.core.internal.nativeio.UnixDatagram")
                                .getMethod("send", String.class, String.class);
                    } catch (ClassNotFoundException | NoSuchMethodException | IllegalStateException e) {
                        throw new IOException("core cannot send datagrams: " + e, e);
                    }
                }
            }
            if (method == null) {
                throw new IOException("the core bundle is not installed");
            }
        }
        return method;
    }

    /** Starts the thread that sends READY, STATUS and the watchdog's pings. */
    Systemd start() {
        thread = new Thread(this::loop, "scanout-systemd");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void loop() {
        long started = System.nanoTime();
        long tick = watchdogNanos > 0 ? Math.max(watchdogNanos / 2, 50_000_000L) : STATUS_INTERVAL.toNanos();
        long step = Math.min(tick, 200_000_000L); // settle READY quickly
        long lastTick = 0;
        while (!closed) {
            long now = System.nanoTime();
            List<Pipelines.Stats> all = List.of();
            try {
                all = pipelines.get();
            } catch (RuntimeException e) {
                // the framework is stopping
            }
            String status = summary(all, expected.getAsInt());
            boolean settled = settled(all, expected.getAsInt());
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (!ready && (settled || now - started > READY_TIMEOUT.toNanos())) {
                    ready = true;
                    lastStatus = status;
                    tell("READY=1\nSTATUS=" + status);
                } else if (!status.equals(lastStatus)) {
                    lastStatus = status;
                    tell("STATUS=" + status);
                }
            }
            if (watchdogNanos > 0 && (lastTick == 0 || now - lastTick >= tick)) {
                lastTick = now;
                String stuck = frameworkActive.get() ? watchdog.check(all, now) : "the OSGi framework is not running";
                if (stuck == null) {
                    tell("WATCHDOG=1");
                } else {
                    tell("STATUS=not alive, no watchdog ping: " + stuck);
                    lastStatus = "";
                }
            }
            try {
                Thread.sleep(Math.max(1, (ready ? tick : step) / 1_000_000L));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Says that the stop has begun; later notifications are not sent. */
    synchronized void stopping() {
        if (!closed) {
            closed = true;
            tell("STOPPING=1\nSTATUS=stopping");
        }
    }

    @Override
    public void close() {
        stopping();
        if (thread != null) {
            thread.interrupt();
        }
    }

    private synchronized void tell(String message) {
        try {
            sender.send(message);
        } catch (IOException | RuntimeException e) {
            if (!failedOnce) {
                failedOnce = true;
                err.println("scanout: WARNING: cannot notify systemd at NOTIFY_SOCKET: " + e.getMessage());
            }
        }
    }

    /** Whether each expected device has a pipeline that is past STARTING. */
    static boolean settled(List<Pipelines.Stats> all, int expected) {
        return all.size() >= expected && all.stream().noneMatch(s -> s.state().equals("STARTING"));
    }

    /**
     * One line: {@code 2 devices live, 1 waiting, 1 failed: desk no signal; lab failed: why}.
     * Live is RUNNING; failed is FAILED, GONE or ERROR; the rest wait. Configured devices with no
     * pipeline yet count as waiting ("starting"). Cut to {@link #STATUS_MAX} characters.
     */
    static String summary(List<Pipelines.Stats> all, int expected) {
        int live = 0;
        int waiting = 0;
        int failed = 0;
        List<String> why = new ArrayList<>();
        for (Pipelines.Stats s : all) {
            switch (s.state()) {
                case "RUNNING" -> live++;
                case "FAILED", "GONE", "ERROR" -> failed++;
                default -> waiting++;
            }
            if (!s.state().equals("RUNNING")) {
                why.add(s.name() + " " + s.state().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + (s.reason().isEmpty() ? "" : ": " + s.reason()));
            }
        }
        int missing = Math.max(0, expected - all.size());
        waiting += missing;
        if (missing > 0) {
            why.add(missing + " not started yet");
        }
        int total = live + waiting + failed;
        StringBuilder b = new StringBuilder();
        b.append(live).append(total == 1 && live == 1 ? " device live" : " devices live");
        if (waiting > 0) {
            b.append(", ").append(waiting).append(" waiting");
        }
        if (failed > 0) {
            b.append(", ").append(failed).append(" failed");
        }
        if (!why.isEmpty()) {
            b.append(": ").append(String.join("; ", why));
        }
        String line = Logging.flatten(b.toString());
        return line.length() <= STATUS_MAX ? line : line.substring(0, STATUS_MAX - 3) + "...";
    }

    /**
     * Whether every capture loop is alive: a pipeline whose loop polls (RUNNING, NO_SIGNAL,
     * NO_SOURCE, ERROR) must have polled within {@code stuckNanos}. STALLED is the pipeline's
     * own report of a device call that has not returned (it recovers when the call returns) and
     * FAILED, GONE and CLOSED poll nothing: none of these is counted against it.
     *
     * <p>Threads: one (the notifier's).
     */
    static final class Watchdog {
        private final long stuckNanos;
        private final Map<String, long[]> seen = new HashMap<>(); // name -> {polls, nanos when it changed}

        Watchdog(long stuckNanos) {
            this.stuckNanos = stuckNanos;
        }

        /** Null when alive, else why not. */
        String check(List<Pipelines.Stats> all, long now) {
            Map<String, long[]> next = new HashMap<>();
            String stuck = null;
            for (Pipelines.Stats s : all) {
                long[] before = seen.get(s.name());
                long[] mark = before == null || before[0] != s.polls() ? new long[] {s.polls(), now} : before;
                boolean polling = switch (s.state()) {
                    case "RUNNING", "NO_SIGNAL", "NO_SOURCE", "ERROR" -> true;
                    default -> false;
                };
                if (!polling) {
                    mark = new long[] {s.polls(), now};
                }
                next.put(s.name(), mark);
                if (stuck == null && now - mark[1] > stuckNanos) {
                    stuck = "the capture loop of " + s.name() + " has not polled for "
                            + (now - mark[1]) / 1_000_000_000L + " s (" + s.state().toLowerCase(Locale.ROOT) + ")";
                }
            }
            seen.clear();
            seen.putAll(next);
            return stuck;
        }
    }
}
