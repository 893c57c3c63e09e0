package io.github.scanout.api.device;

import io.github.scanout.api.DeviceException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The EDID region ({@code struct vfio_region_gfx_edid}): lets the host tell the guest which
 * display modes to offer. To change modes: {@link #setLinkUp(boolean) link down}, write the
 * blob, link up (QEMU waits 100 ms before link up). All accesses are 4 bytes wide.
 */
@ProviderType
public interface EdidRegion {

    /** {@return the region it lives in} */
    RegionInfo region();

    /**
     * The largest EDID blob the device takes.
     *
     * @return bytes
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    int maxSize() throws DeviceException;

    /**
     * The largest horizontal resolution the device supports.
     *
     * @return pixels, or 0 for no limit
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    int maxXres() throws DeviceException;

    /**
     * The largest vertical resolution the device supports.
     *
     * @return pixels, or 0 for no limit
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    int maxYres() throws DeviceException;

    /**
     * Whether the link is up.
     *
     * @return true when up
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    boolean linkUp() throws DeviceException;

    /**
     * Sets the link state.
     *
     * @param up true for up, false for down
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    void setLinkUp(boolean up) throws DeviceException;

    /**
     * The current blob.
     *
     * @return {@code edid_size} bytes at {@code edid_offset}
     * @throws DeviceException when the region cannot be read or written, with the errno
     */
    byte[] read() throws DeviceException;

    /**
     * Writes a blob and its size. The link should be down.
     *
     * @param blob the EDID
     * @throws DeviceException when the blob is larger than {@link #maxSize()}
     */
    void write(byte[] blob) throws DeviceException;
}
