package io.github.scanout.core.internal.vfio;

/**
 * {@code struct vfio_device_gfx_plane_info} exactly as a device answered it, before any check:
 * every {@code __u32} as a non-negative {@code long} (0 to 0xFFFFFFFF), the {@code __u64}
 * modifier as its raw 64 bits. Bytes 60..63 (reserved) are not part of it. Only
 * {@link PlaneValidator} turns one into an {@link io.github.scanout.api.PlaneInfo}.
 *
 * @param bufferId {@code region_index} or {@code dmabuf_id} (a union in the struct)
 */
public record RawPlaneInfo(
        long argsz,
        long flags,
        long drmPlaneType,
        long drmFormat,
        long drmFormatMod,
        long width,
        long height,
        long stride,
        long size,
        long xPos,
        long yPos,
        long xHot,
        long yHot,
        long bufferId) {

    @Override
    public String toString() {
        return String.format("vfio_device_gfx_plane_info{argsz %d, flags 0x%x, drm_plane_type %d, drm_format 0x%08x, "
                        + "drm_format_mod 0x%016x, %dx%d, stride %d, size %d, pos %d,%d, hot 0x%x,0x%x, id %d}",
                argsz, flags, drmPlaneType, drmFormat, drmFormatMod, width, height, stride, size, xPos, yPos, xHot, yHot,
                bufferId);
    }
}
