package io.github.scanout.core.internal.vfio;

/**
 * Offsets of {@code struct vfio_region_gfx_edid} at the start of the EDID region (24 bytes,
 * every field a {@code __u32}, accessed 4 bytes at a time).
 */
public final class GfxEdidLayout {
    private GfxEdidLayout() {}

    /** Read-only: where the blob starts in the region. */
    public static final int EDID_OFFSET = 0;
    /** Read-only: the largest blob the device takes. */
    public static final int EDID_MAX_SIZE = 4;
    /** Read-write: the blob's current size. */
    public static final int EDID_SIZE = 8;
    /** Read-only: largest horizontal resolution, 0 = no limit. */
    public static final int MAX_XRES = 12;
    /** Read-only: largest vertical resolution, 0 = no limit. */
    public static final int MAX_YRES = 16;
    /** Read-write: {@code VFIO_DEVICE_GFX_LINK_STATE_UP} 1, {@code _DOWN} 2. */
    public static final int LINK_STATE = 20;
    public static final int SIZE = 24;
}
