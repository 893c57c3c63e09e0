package io.github.scanout.api.kernel;

import io.github.scanout.api.Damage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a device says changed in its primary plane: the rectangles it updated since the last
 * {@link #take()}. A device that knows (QEMU's D-Bus display, whose every update names its
 * rectangle) offers one through {@link DeviceEndpoint#damage()}; the capture loop then takes
 * the damage instead of hashing the frame, and hands it on with the frame
 * ({@link io.github.scanout.api.sink.Frame#damage()}).
 *
 * <p>The contract that makes this safe: a device records a rectangle <em>after</em> the pixels
 * in it are written, and the capture loop takes the damage <em>before</em> it reads the plane. A
 * write that races with a look is then either in the damage taken or in the next one; so it may
 * be delivered twice, never not at all.
 */
@ConsumerType
public interface DamageLog {

    /**
     * What changed since the last call (everything recorded since then, merged), and forgets it.
     * {@link Damage#UNKNOWN} when the log cannot tell: on the first call after the device was
     * (re)opened or switched to a new plane, and whenever it lost track.
     *
     * <p>Threads: the capture thread; one caller at a time.
     *
     * @return the damage, {@link Damage#NONE} when nothing changed
     */
    Damage take();
}
