package io.github.scanout.api.buffer;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The lease leak detector. Every open lease is counted; a lease that becomes unreachable
 * without being closed is a leak: it is reported to the {@linkplain #onLeak(Consumer) leak
 * listener} (by default {@code System.Logger} at WARNING) and counted, and its reference is
 * dropped so the resource is still released. It is noticed when no lease of the same buffer is
 * reachable any more (one watch per buffer, so that a lease costs one small object), and reported
 * once per buffer with the number of its leases that leaked; see {@link PlaneBuffer} for when that
 * is.
 *
 * <p>With the system property {@code scanout.leaks=trace} each lease is watched on its own,
 * reported on its own as soon as it is unreachable, and records where it was taken, and the report
 * shows that stack. Tests assert {@link #live()} returns to its start.
 */
public final class Leases {
    private Leases() {}

    /**
     * The JDK's own cleaner thread: a thread factory of ours would tie the thread to this
     * bundle's class loader and keep it alive across framework restarts and bundle refreshes.
     */
    static final Cleaner CLEANER = Cleaner.create();
    static final boolean TRACE = "trace".equals(System.getProperty("scanout.leaks"));
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong LEAKED = new AtomicLong();
    private static volatile Consumer<String> listener = message ->
            System.getLogger("io.github.scanout.leaks").log(System.Logger.Level.WARNING, message);

    /** {@return the leases taken and not yet closed, in this class loader} */
    public static long live() {
        return LIVE.get();
    }

    /** {@return the leases that were garbage collected without being closed} */
    public static long leaked() {
        return LEAKED.get();
    }

    /**
     * Replaces the leak listener (tests use it to fail on leaks). It is called on the JDK's
     * cleaner thread.
     *
     * @param newListener receives one message per leaked lease
     */
    public static void onLeak(Consumer<String> newListener) {
        listener = newListener;
    }

    static void opened() {
        LIVE.incrementAndGet();
    }

    static void closed() {
        LIVE.decrementAndGet();
    }

    static void leaked(int leases, String what, Throwable where) {
        LEAKED.addAndGet(leases);
        LIVE.addAndGet(-leases);
        StringBuilder b = new StringBuilder("LEAK: ").append(what).append(" was not closed before it was garbage collected");
        if (where != null) {
            b.append("; taken at:");
            for (StackTraceElement e : where.getStackTrace()) {
                b.append("\n\tat ").append(e);
            }
        } else {
            b.append(" (run with -Dscanout.leaks=trace to see where it was taken)");
        }
        listener.accept(b.toString());
    }
}
