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

    /** The region it lives in. */
    RegionInfo region();

    /** Largest EDID blob the device takes, in bytes. */
    int maxSize() throws DeviceException;

    /** Largest horizontal resolution the device supports, or 0 for no limit. */
    int maxXres() throws DeviceException;

    /** Largest vertical resolution, or 0 for no limit. */
    int maxYres() throws DeviceException;

    /** Whether the link is up. */
    boolean linkUp() throws DeviceException;

    /** Sets the link state. */
    void setLinkUp(boolean up) throws DeviceException;

    /** The current blob ({@code edid_size} bytes at {@code edid_offset}). */
    byte[] read() throws DeviceException;

    /**
     * Writes a blob and its size. The link should be down.
     *
     * @throws DeviceException when the blob is larger than {@link #maxSize()}
     */
    void write(byte[] blob) throws DeviceException;
}
