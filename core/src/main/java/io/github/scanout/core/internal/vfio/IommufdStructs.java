package io.github.scanout.core.internal.vfio;

import java.nio.ByteBuffer;

/**
 * The structs of the vfio cdev + iommufd open path, as in {@code include/uapi/linux/vfio.h}
 * and {@code iommufd.h}:
 *
 * <ul>
 *   <li>{@code struct vfio_device_bind_iommufd}: argsz 0, flags 4, {@code __s32} iommufd 8,
 *       out_devid 12 (16 bytes in 6.6 to 6.16); 6.17 appended {@code __aligned_u64
 *       token_uuid_ptr} at 16 (24 bytes, used only with VFIO_DEVICE_BIND_FLAG_TOKEN). The kernel
 *       requires {@code argsz >= 16}; newer kernels require bytes past what they know to be
 *       zero. Scanout sends the 24-byte form with flags 0 and a zero token pointer, which every
 *       version accepts.</li>
 *   <li>{@code struct iommu_ioas_alloc}: size 0, flags 4, out_ioas_id 8 (12 bytes).</li>
 *   <li>{@code struct vfio_device_attach_iommufd_pt}: argsz 0, flags 4, pt_id 8 (in: the IOAS
 *       id; out: the attached page table), pasid 12 (added with VFIO_DEVICE_ATTACH_PASID; the
 *       kernel requires {@code argsz >= 12} and reads pasid only with that flag). Sent as 16 bytes.</li>
 * </ul>
 */
public final class IommufdStructs {
    private IommufdStructs() {}

    public static final int BIND_SIZE = 24;
    public static final int BIND_ARGSZ = 0;
    public static final int BIND_FLAGS = 4;
    public static final int BIND_IOMMUFD = 8;
    public static final int BIND_OUT_DEVID = 12;
    public static final int BIND_TOKEN_UUID_PTR = 16;

    public static final int IOAS_ALLOC_SIZE = 12;
    public static final int IOAS_ALLOC_SIZE_FIELD = 0;
    public static final int IOAS_ALLOC_FLAGS = 4;
    public static final int IOAS_ALLOC_OUT_IOAS_ID = 8;

    public static final int ATTACH_SIZE = 16;
    public static final int ATTACH_ARGSZ = 0;
    public static final int ATTACH_FLAGS = 4;
    public static final int ATTACH_PT_ID = 8;
    public static final int ATTACH_PASID = 12;

    /** {@code vfio_device_bind_iommufd} binding to {@code iommufd}, flags 0. */
    public static ByteBuffer bind(int iommufd) {
        ByteBuffer b = Le.allocate(BIND_SIZE);
        Le.putU32(b, BIND_ARGSZ, BIND_SIZE);
        b.putInt(BIND_IOMMUFD, iommufd);
        return b;
    }

    /** The devid the kernel wrote back. */
    public static long boundDevid(ByteBuffer b) {
        return Le.u32(Le.le(b), BIND_OUT_DEVID);
    }

    /** {@code iommu_ioas_alloc} with size 12, flags 0. */
    public static ByteBuffer ioasAlloc() {
        ByteBuffer b = Le.allocate(IOAS_ALLOC_SIZE);
        Le.putU32(b, IOAS_ALLOC_SIZE_FIELD, IOAS_ALLOC_SIZE);
        return b;
    }

    /** The IOAS id the kernel wrote back. */
    public static long ioasId(ByteBuffer b) {
        return Le.u32(Le.le(b), IOAS_ALLOC_OUT_IOAS_ID);
    }

    /** {@code vfio_device_attach_iommufd_pt} for page table (IOAS) {@code ptId}, flags 0. */
    public static ByteBuffer attach(long ptId) {
        ByteBuffer b = Le.allocate(ATTACH_SIZE);
        Le.putU32(b, ATTACH_ARGSZ, ATTACH_SIZE);
        Le.putU32(b, ATTACH_PT_ID, ptId);
        return b;
    }
}
