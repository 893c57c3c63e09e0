package io.github.scanout.sink.vnc.internal;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: after a failed login from an address, that address's next answer
 * (right or wrong) waits 1 s, then 2, 4... up to 30 s; a success forgets the address. At most
 * {@link #MAX_ADDRESSES} addresses are remembered (the oldest is forgotten first), so that
 * many source addresses cannot grow it without bound.
 *
 * <p>Threads: any; synchronized.
 */
final class LoginThrottle {
    static final int MAX_ADDRESSES = 4096;
    static final long MAX_DELAY_MILLIS = 30_000;

    private record Failures(int count, long lastMillis) {}

    private final Map<InetAddress, Failures> failures = new LinkedHashMap<>();

    /** Failed logins from this address so far (0 when none or forgotten). */
    synchronized int failures(InetAddress a) {
        Failures f = failures.get(a);
        return f == null ? 0 : f.count;
    }

    /** How long this address's next login answer waits, in milliseconds. */
    synchronized long delayMillis(InetAddress a) {
        Failures f = failures.get(a);
        return f == null ? 0 : Math.min(MAX_DELAY_MILLIS, 1000L << Math.min(15, f.count - 1));
    }

    /** Counts a failure; returns the new count. */
    synchronized int failed(InetAddress a, long nowMillis) {
        Failures f = failures.remove(a);
        int n = f == null ? 1 : f.count + 1;
        failures.put(a, new Failures(n, nowMillis));
        if (failures.size() > MAX_ADDRESSES) {
            Iterator<InetAddress> it = failures.keySet().iterator();
            it.next();
            it.remove();
        }
        return n;
    }

    synchronized void succeeded(InetAddress a) {
        failures.remove(a);
    }
}
