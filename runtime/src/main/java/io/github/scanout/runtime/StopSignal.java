package io.github.scanout.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM and SIGINT as a request to stop cleanly. The first signal counts the latch down; the
 * main thread then stops the runtime in order and exits 0. While that is under way:
 *
 * <ul>
 *   <li>the same signal again within {@link #DUPLICATE_WINDOW_NANOS} of the first is the same
 *       request delivered twice and is ignored: systemd's {@code KillMode=control-group} signals
 *       every process of the service, so when the launcher script runs Java as its child (the
 *       start that dumps the class-data archive) Java gets SIGTERM from systemd and again from
 *       the script, which passes it on; Ctrl-C at a terminal does the same with SIGINT;
 *   <li>the same signal later, or the other of the two, halts at once (status 130), for an
 *       operator who does not want to wait.
 * </ul>
 *
 * <p>The handlers replace the JVM's (which would run shutdown hooks and exit 143 or 130). For
 * other ways the JVM is asked to exit (SIGHUP, a stray {@code System.exit}) a shutdown hook
 * requests the same clean stop, waits for it (bounded) and halts with its status.
 *
 * <p>With {@value #PARENT_ENV} set to a process id (test harnesses and supervisors that start
 * {@code scanout run} set it to their own), the end of that process is a stop request too:
 * otherwise a harness that is killed (SIGKILL, an out-of-memory kill) leaves its runtimes
 * running, and writing, with no one to stop them. {@link #watchParent} watches it with
 * {@link ProcessHandle#onExit()} (the process's start time guards against a reused id); a clean
 * stop that has not finished 60 s later halts the JVM (status 1).
 *
 * <p>Threads: handlers run on the JVM's signal thread; {@link #await} on the main thread.
 */
final class StopSignal {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile String reason = "";
    private volatile int exitCode;
    private volatile boolean handlersInstalled;
    /** A repeat of the first signal within this is a duplicate delivery (2 s). */
    static final long DUPLICATE_WINDOW_NANOS = 2_000_000_000L;
    private String firstSignal;
    private long firstNanos;

    /** The environment variable naming the process whose end stops this one. */
    static final String PARENT_ENV = "SCANOUT_PARENT_PID";

    /**
     * Stops this process when the one {@value #PARENT_ENV} names ends (at once when it is not
     * running). Does nothing without the variable.
     *
     * @param env the environment
     * @return a line for the operator when the variable is set but is not a process id, else null
     */
    String watchParent(java.util.Map<String, String> env) {
        String value = env.get(PARENT_ENV);
        if (value == null || value.isBlank()) {
            return null;
        }
        long pid;
        try {
            pid = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return "environment " + PARENT_ENV + " = '" + value + "' is ignored; expected a process id";
        }
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            parentGone(pid);
        } else {
            parent.get().onExit().thenRun(() -> parentGone(pid));
        }
        return null;
    }

    private void parentGone(long pid) {
        request("process " + pid + " (" + PARENT_ENV + ") ended");
        Thread watchdog = new Thread(() -> {
            try {
                if (!finished.await(60, TimeUnit.SECONDS)) {
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scanout-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Installs the handlers and the hook. */
    void install() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> onSignal("SIG" + name));
                handlersInstalled = true;
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                // the JVM's handler stays; the shutdown hook below covers it
            }
        }
        Thread hook = new Thread(this::onShutdown, "scanout-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void onSignal(String name) {
        if (onSignal(name, System.nanoTime())) {
            Runtime.getRuntime().halt(130);
        }
    }

    /**
     * Records a signal; true when it means "halt now".
     */
    synchronized boolean onSignal(String name, long nanos) {
        if (firstSignal != null) {
            return !(name.equals(firstSignal) && nanos - firstNanos < DUPLICATE_WINDOW_NANOS);
        }
        firstSignal = name;
        firstNanos = nanos;
        if (requested.getCount() == 0) {
            return false; // a stop from inside is under way: the signal asks for the same
        }
        reason = name;
        requested.countDown();
        return false;
    }

    private void onShutdown() {
        if (finished.getCount() == 0) {
            return; // the main thread stopped everything and is exiting
        }
        reason = "JVM shutdown";
        requested.countDown();
        try {
            if (finished.await(20, TimeUnit.SECONDS)) {
                Runtime.getRuntime().halt(exitCode);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks for a stop from inside the process (the duration is over, enough frames). */
    void request(String why) {
        if (requested.getCount() > 0) {
            reason = why;
            requested.countDown();
        }
    }

    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Waits up to {@code timeout} for a stop request; true when one came. */
    boolean await(Duration timeout) throws InterruptedException {
        return requested.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Why the stop was requested. */
    String reason() {
        return reason;
    }

    /** The main thread has stopped everything; a pending shutdown hook may halt with this status. */
    void finished(int code) {
        exitCode = code;
        finished.countDown();
    }

    boolean handlersInstalled() {
        return handlersInstalled;
    }
}
