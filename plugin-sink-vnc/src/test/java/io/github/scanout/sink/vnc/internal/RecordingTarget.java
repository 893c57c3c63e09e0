package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.input.InputTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A device's input target that records, in order, what reaches it (a fake, not a mock). */
final class RecordingTarget implements InputTarget {
    private final List<String> events = new ArrayList<>();

    @Override
    public synchronized void key(int keysym, boolean down) {
        events.add("key " + Integer.toHexString(keysym) + (down ? " down" : " up"));
        notifyAll();
    }

    @Override
    public synchronized void pointer(int x, int y, int buttons) {
        events.add("pointer " + x + "," + y + " " + buttons);
        notifyAll();
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** Waits (generously) until the events recorded so far satisfy {@code done}; returns them. */
    synchronized List<String> await(Predicate<List<String>> done, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.test(events)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the input target did not get what was expected in " + timeout.toSeconds()
                        + " s; it got " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(events);
    }
}
