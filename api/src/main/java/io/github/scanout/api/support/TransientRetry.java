package io.github.scanout.api.support;

import io.github.scanout.api.DeviceException;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Back-off and reporting for transient device errors ({@link DeviceException#isTransient()}:
 * ENOMEM, EAGAIN, EINTR, EBUSY) on one plane. A plane session keeps one per plane and asks it
 * before every device query:
 * <pre>{@code
 * if (!retry.mayTry()) return lastGood();
 * try { answer = device.queryPlane(...); }
 * catch (DeviceException e) {
 *     if (e.isTransient()) { retry.failed(e); return lastGood(); }
 *     retry.forget(); throw e;
 * }
 * retry.succeeded();
 * }</pre>
 *
 * <p>The waits are a {@link Backoff}: {@code Backoff.doubling(10 ms, max).afterFreeRetries(1)}.
 *
 * <p>An <em>episode</em> starts with the first failure after a success. The first retry is
 * allowed on the very next poll (mbochs answers the first query of a new mode with ENOMEM and
 * the next one with the plane); after that the wait doubles from {@value #FIRST_DELAY_MILLIS} ms
 * up to the configured maximum. The episode is reported once, at INFO, when it starts; once
 * more, at WARNING, if the wait reaches its maximum; and, only in that case, once at INFO when
 * it ends. Never one line per poll.
 *
 * <p>Threads: not thread-safe. Every method is called on one thread, the session's capture
 * thread (the thread that polls the device).
 */
public final class TransientRetry {
    /** The wait before the third attempt of an episode; every later wait doubles, up to the maximum. */
    public static final long FIRST_DELAY_MILLIS = 10;

    private final String what;
    private final Reporter reporter;
    private final LongSupplier nanoClock;
    private final long maxDelayNanos;
    private final Backoff backoff;
    private int failures;
    private long notBefore;
    private long startedAt;
    private boolean escalated;

    /**
     * Called on any thread; the instance is then used on the capture thread only.
     *
     * @param what the plane and device, for messages ("primary plane of sim:mbochs")
     * @param reporter where the (at most three) lines per episode go
     * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} in production
     * @param maxDelayMillis the longest wait between two attempts, 0 or more (0: retry on every poll)
     * @throws IllegalArgumentException when {@code maxDelayMillis} is negative
     */
    public TransientRetry(String what, Reporter reporter, LongSupplier nanoClock, long maxDelayMillis) {
        this.what = Objects.requireNonNull(what, "what");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (maxDelayMillis < 0) {
            throw new IllegalArgumentException("the maximum back-off must be >= 0 ms, got " + maxDelayMillis);
        }
        this.maxDelayNanos = maxDelayMillis * 1_000_000L;
        this.backoff = new Backoff(Math.min(FIRST_DELAY_MILLIS * 1_000_000L, maxDelayNanos), maxDelayNanos, 1);
    }

    /**
     * Whether the device may be asked now: outside an episode, or once the wait is over.
     * Capture thread only.
     *
     * @return true when the device may be asked now
     */
    public boolean mayTry() {
        return failures == 0 || nanoClock.getAsLong() - notBefore >= 0;
    }

    /** {@return whether an episode is going on} Capture thread only. */
    public boolean backingOff() {
        return failures > 0;
    }

    /** {@return the consecutive failures in this episode (0 outside one)} Capture thread only. */
    public int failures() {
        return failures;
    }

    /**
     * Records a transient failure and schedules the next attempt; reports the start of an
     * episode, and its escalation when the wait reaches the maximum. Capture thread only.
     *
     * @param e the transient error the device answered; its message goes into the report
     */
    public void failed(DeviceException e) {
        Objects.requireNonNull(e, "e");
        long now = nanoClock.getAsLong();
        failures++;
        long delay = delayNanos(failures);
        notBefore = now + delay;
        if (failures == 1) {
            startedAt = now;
            reporter.report(System.Logger.Level.INFO, what + ": " + e.getMessage()
                    + " (transient: retrying on the next poll, then with back-off; the last good frame stays meanwhile)");
        } else if (!escalated && delay >= maxDelayNanos) {
            escalated = true;
            reporter.report(System.Logger.Level.WARNING, what + ": still failing after " + failures + " attempts in "
                    + (now - startedAt) / 1_000_000L + " ms: " + e.getMessage() + " (retrying every "
                    + maxDelayNanos / 1_000_000L + " ms)");
        }
    }

    /**
     * A successful attempt ends the episode (reported only if it had escalated). Capture thread
     * only.
     */
    public void succeeded() {
        if (failures > 0 && escalated) {
            reporter.report(System.Logger.Level.INFO, what + ": recovered after " + failures + " failed attempts");
        }
        forget();
    }

    /** Ends the episode without a report (a non-transient error, a reset). Capture thread only. */
    public void forget() {
        failures = 0;
        escalated = false;
    }

    /**
     * The wait after the {@code n}-th consecutive failure, in nanoseconds: 0 after the first,
     * then {@value #FIRST_DELAY_MILLIS} ms doubling up to the maximum. A pure function of
     * {@code n}; any thread.
     *
     * @param n consecutive failures, 1 for the first
     * @return the wait in nanoseconds
     */
    public long delayNanos(int n) {
        return backoff.delayNanos(n);
    }

    @Override
    public String toString() {
        return "TransientRetry[" + what + (failures > 0 ? ", " + failures + " failures]" : "]");
    }
}
