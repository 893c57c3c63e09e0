package io.github.scanout.api.kernel;

/**
 * VFIO ABI numbers from {@code include/uapi/linux/vfio.h} (checked against Linux 6.1 and
 * mainline, see {@code docs/abi.md}). Every VFIO ioctl is {@code _IO(';', 100 + n)}:
 * type 0x3B, with no size or direction bits.
 */
public final class Vfio {
    private Vfio() {}

    /** The only VFIO API version, answered by {@code VFIO_GET_API_VERSION}. */
    public static final int API_VERSION = 0;

    /** {@code VFIO_GET_API_VERSION}, on the container. */
    public static final long GET_API_VERSION = 0x3B64;
    /** {@code VFIO_CHECK_EXTENSION}, on the container. */
    public static final long CHECK_EXTENSION = 0x3B65;
    /** {@code VFIO_SET_IOMMU}, on the container. */
    public static final long SET_IOMMU = 0x3B66;
    /** {@code VFIO_GROUP_GET_STATUS}, on a group. */
    public static final long GROUP_GET_STATUS = 0x3B67;
    /** {@code VFIO_GROUP_SET_CONTAINER}, on a group. */
    public static final long GROUP_SET_CONTAINER = 0x3B68;
    /** {@code VFIO_GROUP_GET_DEVICE_FD}, on a group; returns the device fd. */
    public static final long GROUP_GET_DEVICE_FD = 0x3B6A;
    /** {@code VFIO_DEVICE_GET_INFO}. */
    public static final long DEVICE_GET_INFO = 0x3B6B;
    /** {@code VFIO_DEVICE_GET_REGION_INFO}. */
    public static final long DEVICE_GET_REGION_INFO = 0x3B6C;
    /** {@code VFIO_DEVICE_RESET}. */
    public static final long DEVICE_RESET = 0x3B6F;
    /** {@code VFIO_DEVICE_QUERY_GFX_PLANE}. */
    public static final long DEVICE_QUERY_GFX_PLANE = 0x3B72;
    /** {@code VFIO_DEVICE_GET_GFX_DMABUF}; returns a dma-buf fd. */
    public static final long DEVICE_GET_GFX_DMABUF = 0x3B73;
    /** {@code VFIO_DEVICE_BIND_IOMMUFD}, on a device cdev. */
    public static final long DEVICE_BIND_IOMMUFD = 0x3B76;
    /** {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT}, on a device cdev. */
    public static final long DEVICE_ATTACH_IOMMUFD_PT = 0x3B77;

    /** {@code IOMMU_IOAS_ALLOC}: {@code _IO(';', 0x81)} on /dev/iommu. */
    public static final long IOMMU_IOAS_ALLOC = 0x3B81;

    /** {@code VFIO_TYPE1_IOMMU}, an IOMMU model for {@code VFIO_SET_IOMMU}. */
    public static final int TYPE1_IOMMU = 1;
    /** {@code VFIO_TYPE1v2_IOMMU}, an IOMMU model for {@code VFIO_SET_IOMMU}. */
    public static final int TYPE1v2_IOMMU = 3;

    /** {@code vfio_group_status} flag: every device of the group is bound to VFIO. */
    public static final int GROUP_FLAGS_VIABLE = 1;
    /** {@code vfio_group_status} flag: the group is in a container. */
    public static final int GROUP_FLAGS_CONTAINER_SET = 2;

    /** {@code vfio_device_gfx_plane_info} flag: ask which plane types the device supports. */
    public static final int GFX_PLANE_TYPE_PROBE = 1;
    /** {@code vfio_device_gfx_plane_info} flag: the plane is exported as a dma-buf. */
    public static final int GFX_PLANE_TYPE_DMABUF = 2;
    /** {@code vfio_device_gfx_plane_info} flag: the plane lies in a device region. */
    public static final int GFX_PLANE_TYPE_REGION = 4;

    /** {@code vfio_region_info} flag: the region may be read. */
    public static final int REGION_INFO_FLAG_READ = 1;
    /** {@code vfio_region_info} flag: the region may be written. */
    public static final int REGION_INFO_FLAG_WRITE = 2;
    /** {@code vfio_region_info} flag: the region may be mapped. */
    public static final int REGION_INFO_FLAG_MMAP = 4;
    /** {@code vfio_region_info} flag: a capability chain follows the struct. */
    public static final int REGION_INFO_FLAG_CAPS = 8;

    /** Region capability id: the mappable areas of a sparsely mappable region. */
    public static final int REGION_INFO_CAP_SPARSE_MMAP = 1;
    /** Region capability id: the region's type and subtype. */
    public static final int REGION_INFO_CAP_TYPE = 2;

    /** Region type of graphics regions, the EDID region's type. */
    public static final int REGION_TYPE_GFX = 1;
    /** Region subtype of the EDID region. */
    public static final int REGION_SUBTYPE_GFX_EDID = 1;

    /** {@code vfio_device_info} flag: the device supports {@code VFIO_DEVICE_RESET}. */
    public static final int DEVICE_FLAGS_RESET = 1;
    /** {@code vfio_device_info} flag: a PCI device. */
    public static final int DEVICE_FLAGS_PCI = 2;
    /** {@code vfio_device_info} flag: a capability chain follows the struct. */
    public static final int DEVICE_FLAGS_CAPS = 1 << 7;

    /** {@code vfio_region_gfx_edid.link_state}: the display link is up. */
    public static final int EDID_LINK_UP = 1;
    /** {@code vfio_region_gfx_edid.link_state}: the display link is down. */
    public static final int EDID_LINK_DOWN = 2;

    /** Bytes in {@code struct vfio_device_gfx_plane_info}. */
    public static final int GFX_PLANE_INFO_SIZE = 64;
    /** Bytes in {@code struct vfio_region_info}, without capabilities. */
    public static final int REGION_INFO_SIZE = 32;
    /** Bytes in {@code struct vfio_device_info} with {@code cap_offset}. */
    public static final int DEVICE_INFO_SIZE = 24;
    /** Bytes in the original {@code struct vfio_device_info}, before {@code cap_offset}. */
    public static final int DEVICE_INFO_SIZE_V1 = 20;
    /** Bytes in {@code struct vfio_group_status}. */
    public static final int GROUP_STATUS_SIZE = 8;
    /** Bytes in {@code struct vfio_region_gfx_edid}, the EDID region's header. */
    public static final int GFX_EDID_SIZE = 24;
}
