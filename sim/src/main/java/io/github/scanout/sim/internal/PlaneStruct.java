package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;

/** Offsets in {@code struct vfio_device_gfx_plane_info} (docs/abi.md section 2). */
public final class PlaneStruct {
    private PlaneStruct() {}

    public static final int ARGSZ = 0;
    public static final int FLAGS = 4;
    public static final int DRM_PLANE_TYPE = 8;
    public static final int DRM_FORMAT = 12;
    public static final int DRM_FORMAT_MOD = 16;
    public static final int WIDTH = 24;
    public static final int HEIGHT = 28;
    public static final int STRIDE = 32;
    public static final int SIZE = 36;
    public static final int X_POS = 40;
    public static final int Y_POS = 44;
    public static final int X_HOT = 48;
    public static final int Y_HOT = 52;
    public static final int BUFFER_ID = 56;
    /** {@code offsetofend(..., region_index)}: what 6.1 drivers copy in and out. */
    public static final int MINSZ = 60;
    public static final int SIZEOF = 64;

    public static final int PROBE = 1;
    public static final int DMABUF = 2;
    public static final int REGION = 4;

    public static final int DRM_PLANE_TYPE_PRIMARY = 1;
    public static final int DRM_PLANE_TYPE_CURSOR = 2;

    /** Offsets in {@code struct vfio_region_info}. */
    public static final int RI_ARGSZ = 0;
    public static final int RI_FLAGS = 4;
    public static final int RI_INDEX = 8;
    public static final int RI_CAP_OFFSET = 12;
    public static final int RI_SIZE = 16;
    public static final int RI_OFFSET = 24;
    public static final int RI_SIZEOF = 32;

    /**
     * The flags check every display driver makes first: {@code PROBE | offered} answers 0,
     * {@code offered} alone is a query, anything else is EINVAL.
     *
     * @return true when the call was a probe and is answered (nothing more to do)
     */
    public static boolean probed(KStruct plane, int offered, String driver, String device, String call)
            throws DeviceException {
        int flags = plane.u32(FLAGS);
        if (flags == (PROBE | offered)) {
            return true;
        }
        if (flags != offered) {
            throw Errors.errno(device, call + ((flags & PROBE) != 0 ? " probe" : "") + " with flags 0x"
                    + Integer.toHexString(flags) + " (" + driver + " offers " + (offered == DMABUF ? "DMABUF" : "REGION")
                    + " only)", Errno.EINVAL);
        }
        return false;
    }

    /** Fills the offset, size and flags of a {@code vfio_region_info} answer. */
    public static void regionInfo(KStruct info, long offset, long size, int flags) {
        info.putU64(RI_OFFSET, offset).putU64(RI_SIZE, size).putU32(RI_FLAGS, flags);
    }
}
