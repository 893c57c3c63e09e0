package io.github.scanout.sim;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The device side of a vendor's own buffer type, for simulating it on top of a {@link SimDevice}
 * (see {@link ExtendedDevice}): the answers to {@code VFIO_DEVICE_QUERY_GFX_PLANE} with the
 * type's flag, and one device region the buffers live in. The simulated device then answers
 * {@code PROBE | flag} with 0, plane queries with the flag through {@link #answer}, and
 * {@code GET_REGION_INFO}, {@code pread}, {@code pwrite} and {@code mmap} of that region from
 * memory it owns (a memfd of the host kernel per device open); every other call goes to the
 * wrapped device unchanged.
 *
 * <p>Threads: {@link #answer} runs on the thread that makes the ioctl (a plane session's capture
 * thread), one call at a time per open device; it must not block. One instance may serve many
 * devices, so keep per-device state in the region or key it by device.
 */
@ConsumerType
public interface SimBufferType {

    /** The buffer type simulated: its flag must be a bit other than PROBE, DMABUF and REGION. */
    BufferType bufferType();

    /**
     * The region the type's buffers live in, for one device.
     *
     * @param device the simulated device being extended
     */
    Region region(SimDevice device);

    /**
     * Answers one plane query with the type's flag (probes never reach it).
     *
     * @param device the simulated device (its guest draws, and says which mode is set)
     * @param plane the plane asked for
     * @param region the whole region, writable, little-endian, position 0
     * @param answer pre-filled with the flags and plane type asked for and every other field 0
     *     (a disabled plane); set the fields, including {@link ScriptedDevice.Answer#bufferId}
     * @throws DeviceException to fail the ioctl with its errno
     */
    void answer(SimDevice device, PlaneType plane, ByteBuffer region, ScriptedDevice.Answer answer)
            throws DeviceException;

    /**
     * A device region of the type.
     *
     * @param index the region index ({@code VFIO_DEVICE_GET_REGION_INFO}); must not be one the
     *     wrapped device answers itself: 20 and above are free on every simulated device
     * @param size bytes, readable, writable and mappable by the consumer
     */
    record Region(int index, long size) {
        public Region {
            if (index < 0) {
                throw new IllegalArgumentException("a region index is >= 0, got " + index);
            }
            if (size <= 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a simulated region holds 1 to " + Integer.MAX_VALUE
                        + " bytes, got " + size);
            }
        }
    }
}
