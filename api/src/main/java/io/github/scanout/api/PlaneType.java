package io.github.scanout.api;

/** A DRM plane type, with the number {@code drm_plane_type} carries in the ioctl. */
public enum PlaneType {
    /** {@code DRM_PLANE_TYPE_OVERLAY}: a plane composed over the primary one. */
    OVERLAY(0),
    /** {@code DRM_PLANE_TYPE_PRIMARY}: the screen. */
    PRIMARY(1),
    /** {@code DRM_PLANE_TYPE_CURSOR}: the hardware cursor. */
    CURSOR(2);

    private final int drmValue;

    PlaneType(int drmValue) {
        this.drmValue = drmValue;
    }

    /** {@return the DRM_PLANE_TYPE_* number} */
    public int drmValue() {
        return drmValue;
    }

    /**
     * The plane type with this DRM number.
     *
     * @param value a {@code DRM_PLANE_TYPE_*} number
     * @return the plane type
     * @throws IllegalArgumentException for a number that names none
     */
    public static PlaneType ofDrm(int value) {
        for (PlaneType t : values()) {
            if (t.drmValue == value) {
                return t;
            }
        }
        throw new IllegalArgumentException("no DRM plane type " + value);
    }
}
