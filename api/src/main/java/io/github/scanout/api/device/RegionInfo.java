package io.github.scanout.api.device;

import io.github.scanout.api.kernel.Vfio;
import java.util.List;
import java.util.Optional;

/**
 * {@code struct vfio_region_info} with its capability chain decoded.
 *
 * @param index the region index asked for
 * @param flags VFIO_REGION_INFO_FLAG_*
 * @param size bytes in the region
 * @param offset where the region starts in the device fd (for pread, pwrite and mmap)
 * @param type the type capability, if present
 * @param sparseAreas the sparse-mmap capability's areas (empty when absent: all of it may be mapped)
 * @param unknownCapabilities ids of capabilities Scanout does not decode
 */
public record RegionInfo(
        int index,
        int flags,
        long size,
        long offset,
        Optional<RegionType> type,
        List<SparseArea> sparseAreas,
        List<Integer> unknownCapabilities) {

    /**
     * Copies the lists.
     *
     * @param index the region index asked for
     * @param flags VFIO_REGION_INFO_FLAG_*
     * @param size bytes in the region
     * @param offset where the region starts in the device fd
     * @param type the type capability, if present
     * @param sparseAreas the sparse-mmap capability's areas
     * @param unknownCapabilities ids of capabilities Scanout does not decode
     */
    public RegionInfo {
        sparseAreas = List.copyOf(sparseAreas);
        unknownCapabilities = List.copyOf(unknownCapabilities);
    }

    /**
     * Type capability: a (type, subtype) pair.
     *
     * @param type the region type
     * @param subtype the region subtype
     */
    public record RegionType(int type, int subtype) {
        /** {@return whether this is the EDID region's type and subtype} */
        public boolean isEdid() {
            return type == Vfio.REGION_TYPE_GFX && subtype == Vfio.REGION_SUBTYPE_GFX_EDID;
        }
    }

    /**
     * One mappable area of a sparse region, relative to the region start.
     *
     * @param offset where the area starts, from the region start
     * @param size bytes in the area
     */
    public record SparseArea(long offset, long size) {}

    /** {@return whether the region may be read} */
    public boolean readable() {
        return (flags & Vfio.REGION_INFO_FLAG_READ) != 0;
    }

    /** {@return whether the region may be written} */
    public boolean writable() {
        return (flags & Vfio.REGION_INFO_FLAG_WRITE) != 0;
    }

    /** {@return whether the region may be mapped} */
    public boolean mappable() {
        return (flags & Vfio.REGION_INFO_FLAG_MMAP) != 0;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("region ").append(index).append(' ');
        b.append(readable() ? 'R' : '-').append(writable() ? 'W' : '-').append(mappable() ? 'M' : '-');
        b.append(" size ").append(size).append(" offset 0x").append(Long.toHexString(offset));
        type.ifPresent(t -> b.append(" type ").append(t.type()).append('/').append(t.subtype()));
        if (!sparseAreas.isEmpty()) {
            b.append(" sparse ").append(sparseAreas.size());
        }
        return b.toString();
    }
}
