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

    /** The device was reset: drop every cached buffer. */
    void reset();

    /** Stops reading; buffers still leased stay valid until their last lease closes. */
    @Override
    void close();
}
