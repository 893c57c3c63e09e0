package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.Damage;
import io.github.scanout.api.kernel.DamageLog;

/**
 * What QEMU said changed on the console: the rectangle of every {@code Update} and the whole
 * picture of every {@code Scanout}, merged until the capture loop takes them
 * ({@link io.github.scanout.api.kernel.DeviceEndpoint#damage()}). A surface records a rectangle
 * after its pixels are in the region ({@link ConsoleSurface}); a new surface, a switch to another
 * size and {@code Disable} make it unknown, as does each new connection.
 *
 * <p>Threads: recorded on dbus-java's dispatch thread, taken on the capture thread; one lock.
 */
final class ConsoleDamage implements DamageLog {
    private Damage since = Damage.UNKNOWN;

    /** A rectangle whose pixels are written. */
    synchronized void add(int x, int y, int width, int height) {
        since = since.plus(Damage.of(x, y, width, height));
    }

    /** Anything may have changed: a new surface, a switch, a new connection. */
    synchronized void unknown() {
        since = Damage.UNKNOWN;
    }

    @Override
    public synchronized Damage take() {
        Damage d = since;
        since = Damage.NONE;
        return d;
    }
}
