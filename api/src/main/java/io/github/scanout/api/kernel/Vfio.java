package io.github.scanout.api.kernel;

/**
 * VFIO ABI numbers from {@code include/uapi/linux/vfio.h} (checked against Linux 6.1 and
 * mainline, see {@code docs/abi.md}). Every VFIO ioctl is {@code _IO(';', 100 + n)}:
 * type 0x3B, with no size or direction bits.
 */
public final class Vfio {
    private Vfio() {}

    public static final int API_VERSION = 0;

    public static final long GET_API_VERSION = 0x3B64;
    public static final long CHECK_EXTENSION = 0x3B65;
    public static final long SET_IOMMU = 0x3B66;
    public static final long GROUP_GET_STATUS = 0x3B67;
    public static final long GROUP_SET_CONTAINER = 0x3B68;
    public static final long GROUP_GET_DEVICE_FD = 0x3B6A;
    public static final long DEVICE_GET_INFO = 0x3B6B;
    public static final long DEVICE_GET_REGION_INFO = 0x3B6C;
    public static final long DEVICE_RESET = 0x3B6F;
    public static final long DEVICE_QUERY_GFX_PLANE = 0x3B72;
    public static final long DEVICE_GET_GFX_DMABUF = 0x3B73;
    public static final long DEVICE_BIND_IOMMUFD = 0x3B76;
    public static final long DEVICE_ATTACH_IOMMUFD_PT = 0x3B77;

    /** {@code IOMMU_IOAS_ALLOC}: {@code _IO(';', 0x81)} on /dev/iommu. */
    public static final long IOMMU_IOAS_ALLOC = 0x3B81;

    public static final int TYPE1_IOMMU = 1;
    public static final int TYPE1v2_IOMMU = 3;

    public static final int GROUP_FLAGS_VIABLE = 1;
    public static final int GROUP_FLAGS_CONTAINER_SET = 2;

    /** {@code vfio_device_gfx_plane_info} flags. */
    public static final int GFX_PLANE_TYPE_PROBE = 1;
    public static final int GFX_PLANE_TYPE_DMABUF = 2;
    public static final int GFX_PLANE_TYPE_REGION = 4;

    /** {@code vfio_region_info} flags. */
    public static final int REGION_INFO_FLAG_READ = 1;
    public static final int REGION_INFO_FLAG_WRITE = 2;
    public static final int REGION_INFO_FLAG_MMAP = 4;
    public static final int REGION_INFO_FLAG_CAPS = 8;

    /** Region capability ids. */
    public static final int REGION_INFO_CAP_SPARSE_MMAP = 1;
    public static final int REGION_INFO_CAP_TYPE = 2;

    /** Region type and subtype of the EDID region. */
    public static final int REGION_TYPE_GFX = 1;
    public static final int REGION_SUBTYPE_GFX_EDID = 1;

    public static final int DEVICE_FLAGS_RESET = 1;
    public static final int DEVICE_FLAGS_PCI = 2;
    public static final int DEVICE_FLAGS_CAPS = 1 << 7;

    /** EDID link states in {@code vfio_region_gfx_edid.link_state}. */
    public static final int EDID_LINK_UP = 1;
    public static final int EDID_LINK_DOWN = 2;

    /** Struct sizes. */
    public static final int GFX_PLANE_INFO_SIZE = 64;
    public static final int REGION_INFO_SIZE = 32;
    public static final int DEVICE_INFO_SIZE = 24;
    public static final int DEVICE_INFO_SIZE_V1 = 20;
    public static final int GROUP_STATUS_SIZE = 8;
    public static final int GFX_EDID_SIZE = 24;
}
