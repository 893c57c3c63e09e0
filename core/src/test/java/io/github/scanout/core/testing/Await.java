package io.github.scanout.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition other threads bring about, with a deadline and a message. */
public final class Await {
    private Await() {}

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public static <T> void until(String what, Duration timeout, Supplier<T> value, java.util.function.Predicate<T> ok) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.get();
        while (!ok.test(v)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last value: " + v);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
            v = value.get();
        }
    }

    /** Names of live threads starting with {@code scanout-}, the JVM-wide lease leak detector aside. */
    public static List<String> scanoutThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("scanout-") && !t.getName().equals("scanout-lease-leak-detector")) {
                out.add(t.getName());
            }
        }
        return out;
    }

    public static void noScanoutThreads(Duration timeout) {
        until("no scanout- threads", timeout, Await::scanoutThreads, List::isEmpty);
    }
}
