package io.github.scanout.api.source;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One plane source reading one open device.
 *
 * <p>Threads: every method is called on the device's capture thread only, never concurrently.
 */
@ConsumerType
public interface PlaneSession extends AutoCloseable {

    /**
     * The current buffer of a plane, as a new lease the caller owns.
     *
     * @param plane primary or cursor
     * @param consistent true when a consumer needs bytes that cannot change while read (a
     *     snapshot); false when a live view of device memory will do
     * @return empty when the plane is disabled (the guest has not set a mode, or hides the
     *     cursor)
     * @throws DeviceException with the device's errno; transient ones are retried by the caller
     */
    Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException;

    /**
     * The current buffer of a plane, when the caller still holds a lease this session handed out
     * for it: where the plane still shows exactly what {@code held} shows (the same buffer and
     * the same {@link io.github.scanout.api.PlaneInfo}, position included), the answer may be
     * {@code held} itself, and then no new lease was made; the caller still owns just the one it
     * holds. Any other answer is as {@link #acquire(PlaneType, boolean)}'s: a new lease the
     * caller owns, or empty.
     *
     * <p>An unchanged poll is the common one (a still screen is polled at up to the sink's frame
     * rate), and a lease made only to be closed again costs an allocation and several atomic
     * operations a poll. A session answers {@code held} only where holding a lease across polls
     * pins nothing that matters: core keeps a lease across polls only for buffers the CPU cannot
     * read (no CPU access is left open, no copy kept). The default makes a new lease every time.
     *
     * @param plane primary or cursor
     * @param consistent as for {@link #acquire(PlaneType, boolean)}
     * @param held an open lease this session gave for {@code plane}, which the caller keeps; or null
     * @return {@code held} itself (compare with {@code ==}) when unchanged, else as {@link #acquire(PlaneType, boolean)}
     * @throws DeviceException as for {@link #acquire(PlaneType, boolean)}; {@code held} stays the caller's
     * @since 0.2
     */
    default Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, PlaneBuffer held)
            throws DeviceException {
        return acquire(plane, consistent);
    }

    /** The device was reset: drop every cached buffer. */
    void reset();

    /** Stops reading; buffers still leased stay valid until their last lease closes. */
    @Override
    void close();
}
