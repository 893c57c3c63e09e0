package io.github.scanout.api.device;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An open vGPU, as plane sources see it: typed queries, owned fds and bounded mappings. Every
 * {@link PlaneInfo} it returns has passed core's validator; every fd it hands out has
 * FD_CLOEXEC set and belongs to the object that carries it.
 *
 * <p>Threads: the methods may be called from any thread, but a device serves one call at a
 * time (calls are serialised), as the VFIO drivers do per device.
 */
@ProviderType
public interface GfxDevice extends AutoCloseable {

    /** {@return how the device was named when opened: an mdev UUID, a sysfs path or a {@code sim:} spec} */
    String name();

    /** {@return the answer to {@code VFIO_DEVICE_GET_INFO}, read once at open} */
    DeviceInfo info();

    /**
     * Whether the device offers planes as this buffer type ({@code PROBE | type.flag}).
     *
     * @param type the buffer type to ask about
     * @return false when the device answers EINVAL
     * @throws DeviceException for any other error
     */
    boolean probe(BufferType type) throws DeviceException;

    /**
     * Describes a plane ({@code VFIO_DEVICE_QUERY_GFX_PLANE}).
     *
     * @param type how the plane is to be handed out (region or dma-buf)
     * @param plane which plane
     * @return the validated plane, or empty when the guest has disabled it (has not set a mode)
     * @throws io.github.scanout.api.InvalidPlaneException when the device's answer breaks a rule
     * @throws DeviceException with the errno otherwise; {@link DeviceException#isTransient()}
     *     tells whether to retry
     */
    Optional<PlaneInfo> queryPlane(BufferType type, PlaneType plane) throws DeviceException;

    /**
     * Gets the dma-buf of a plane ({@code VFIO_DEVICE_GET_GFX_DMABUF} for its dmabuf id).
     * The fd's real size ({@code lseek SEEK_END}) is checked against the bytes the plane's
     * layout needs; on any failure the fd is closed.
     *
     * <p>Call it once per live buffer per open: the kernel's mbochs sample frees the buffer
     * object behind a live id when it is asked twice. Use {@link DmaBuf#duplicate()} for more
     * holders.
     *
     * @param plane a plane from {@link #queryPlane} of type {@link BufferType#DMABUF}
     * @return the dma-buf; the caller owns it and closes it
     * @throws DeviceException with the errno, or when the fd is smaller than the plane needs
     */
    DmaBuf openDmaBuf(PlaneInfo plane) throws DeviceException;

    /**
     * {@code VFIO_DEVICE_GET_REGION_INFO} with its capability chain, for any index, including
     * indices at or above {@link DeviceInfo#numRegions()} (mdpy's display region is 16).
     *
     * @param index the region index
     * @return the region's description
     * @throws DeviceException with the errno
     */
    RegionInfo regionInfo(int index) throws DeviceException;

    /**
     * Maps a whole region read-only and shared. The size is the region's, never one derived
     * from plane fields.
     *
     * @param index the region index
     * @return the mapping; the caller owns it and closes it
     * @throws DeviceException when the region is not readable or not mappable, or mmap fails
     */
    MappedMemory mapRegion(int index) throws DeviceException;

    /**
     * Reads region bytes with {@code pread} into {@code dst} (position to limit), refusing any
     * range outside the region.
     *
     * @param index the region index
     * @param offset the offset inside the region
     * @param dst where the bytes go, from its position to its limit
     * @throws DeviceException with the errno, or when the range is outside the region
     */
    void readRegion(int index, long offset, ByteBuffer dst) throws DeviceException;

    /**
     * Writes region bytes with {@code pwrite} (position to limit), inside the region only.
     *
     * @param index the region index
     * @param offset the offset inside the region
     * @param src the bytes to write, from its position to its limit
     * @throws DeviceException with the errno, or when the range is outside the region
     */
    void writeRegion(int index, long offset, ByteBuffer src) throws DeviceException;

    /**
     * The EDID region ({@code VFIO_REGION_TYPE_GFX / SUBTYPE_GFX_EDID}).
     *
     * @return the region, or empty when the device has none
     * @throws DeviceException with the errno
     */
    Optional<EdidRegion> edid() throws DeviceException;

    /**
     * {@code VFIO_DEVICE_RESET}. Buffers from before the reset must be dropped by their owners.
     *
     * @throws DeviceException with the errno
     */
    void reset() throws DeviceException;

    /** Closes the device fd. Idempotent. Objects handed out earlier keep their own fds. */
    @Override
    void close();
}
