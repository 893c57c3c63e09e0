package io.github.scanout.api.support;

import java.time.Duration;
import java.util.Objects;

/**
 * One back-off policy: after the n-th consecutive failure, wait nothing for the first
 * {@code freeRetries} failures, then {@code first}, doubling with each further failure, up to
 * {@code max}. A pure value: the caller counts the failures and keeps the clock.
 *
 * <p>{@link TransientRetry} uses {@code Backoff.doubling(10 ms, max).afterFreeRetries(1)}; a loop
 * that retries opening a device uses {@code Backoff.doubling(100 ms, 2 s)}.
 *
 * <p>Threads: any (immutable).
 *
 * @param firstNanos the wait after the first failure that is not free, 0 or more
 * @param maxNanos the longest wait, {@code firstNanos} or more
 * @param freeRetries failures after which the next attempt may come at once, 0 or more
 */
public record Backoff(long firstNanos, long maxNanos, int freeRetries) {

    /**
     * Checks the policy.
     *
     * @param firstNanos the wait after the first failure that is not free
     * @param maxNanos the longest wait
     * @param freeRetries failures after which the next attempt may come at once
     * @throws IllegalArgumentException unless {@code 0 <= firstNanos <= maxNanos} and
     *     {@code freeRetries >= 0}
     */
    public Backoff {
        if (firstNanos < 0 || maxNanos < firstNanos || freeRetries < 0) {
            throw new IllegalArgumentException("a back-off needs 0 <= first <= max and free retries >= 0; got first "
                    + firstNanos + " ns, max " + maxNanos + " ns, " + freeRetries + " free retries");
        }
    }

    /**
     * Waits {@code first}, doubling up to {@code max}; no free retries.
     *
     * @param first the first wait
     * @param max the longest wait
     * @return the policy
     */
    public static Backoff doubling(Duration first, Duration max) {
        return new Backoff(Objects.requireNonNull(first, "first").toNanos(), Objects.requireNonNull(max, "max").toNanos(), 0);
    }

    /**
     * The same policy with the first {@code n} failures followed by an attempt at once.
     *
     * @param n the free retries
     * @return the new policy
     */
    public Backoff afterFreeRetries(int n) {
        return new Backoff(firstNanos, maxNanos, n);
    }

    /**
     * The wait after the {@code failures}-th consecutive failure, in nanoseconds: 0 for
     * {@code failures <= freeRetries}, then {@code first << (failures - freeRetries - 1)}, never
     * more than {@code max} (and never overflowing).
     *
     * @param failures consecutive failures so far, 1 for the first
     * @return the wait in nanoseconds
     */
    public long delayNanos(int failures) {
        if (failures <= freeRetries) {
            return 0;
        }
        int shift = Math.min(failures - freeRetries - 1, 62);
        long d = firstNanos << shift;
        return d < 0 || (d >> shift) != firstNanos || d > maxNanos ? maxNanos : d;
    }
}
