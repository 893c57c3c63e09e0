package io.github.scanout.api;

/** A DRM plane type, with the number {@code drm_plane_type} carries in the ioctl. */
public enum PlaneType {
    OVERLAY(0),
    PRIMARY(1),
    CURSOR(2);

    private final int drmValue;

    PlaneType(int drmValue) {
        this.drmValue = drmValue;
    }

    /** The DRM_PLANE_TYPE_* number. */
    public int drmValue() {
        return drmValue;
    }

    /** The plane type with this DRM number. */
    public static PlaneType ofDrm(int value) {
        for (PlaneType t : values()) {
            if (t.drmValue == value) {
                return t;
            }
        }
        throw new IllegalArgumentException("no DRM plane type " + value);
    }
}
