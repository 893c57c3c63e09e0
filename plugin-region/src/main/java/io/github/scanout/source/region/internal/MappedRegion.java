package io.github.scanout.source.region.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.device.RegionInfo;
import java.nio.ByteBuffer;

/**
 * One display region of a device, mapped once (whole, read-only, shared) when it has the MMAP
 * flag, or read with pread when it does not. Reference counted: the session holds one reference
 * per plane that shows it, every live-view lease holds one more; the mapping is unmapped when the
 * last reference goes, so a remap never pulls memory from under a consumer.
 *
 * <p>Threads: opened on the capture thread; {@link #release()} on any thread.
 */
final class MappedRegion {
    private final int index;
    private final RegionInfo info;
    private final MappedMemory mapping;
    private int refs = 1;

    private MappedRegion(int index, RegionInfo info, MappedMemory mapping) {
        this.index = index;
        this.info = info;
        this.mapping = mapping;
    }

    /**
     * Asks GET_REGION_INFO for {@code index} (whatever num_regions says: mdpy's display region
     * is 16 of 9) and maps the whole region if it may be mapped.
     *
     * @param preadFallback told (once per region) when the region cannot be mapped
     */
    static MappedRegion open(GfxDevice device, int index, Runnable preadFallback) throws DeviceException {
        RegionInfo info = device.regionInfo(index);
        if (!info.readable()) {
            throw new DeviceException("region " + index + " of " + device.name() + " named by the plane is not readable ("
                    + info + ")");
        }
        if (info.size() <= 0) {
            throw new DeviceException("region " + index + " of " + device.name() + " named by the plane is empty (" + info
                    + ")");
        }
        if (!info.mappable()) {
            preadFallback.run();
            return new MappedRegion(index, info, null);
        }
        return new MappedRegion(index, info, device.mapRegion(index));
    }

    int index() {
        return index;
    }

    RegionInfo info() {
        return info;
    }

    /** Bytes in the region (and in the mapping, which covers all of it). */
    long size() {
        return mapping != null ? mapping.size() : info.size();
    }

    /** Whether the region is mapped (else it is read with pread). */
    boolean mapped() {
        return mapping != null;
    }

    /** A read-only view of the first {@code length} bytes; only for mapped regions. */
    ByteBuffer view(int length) {
        return mapping.view(0, length);
    }

    synchronized MappedRegion retain() {
        if (refs <= 0) {
            throw new IllegalStateException("region " + index + " is already unmapped");
        }
        refs++;
        return this;
    }

    /** Drops one reference; the last one unmaps. */
    void release() {
        boolean last;
        synchronized (this) {
            last = --refs == 0;
        }
        if (last && mapping != null) {
            mapping.close();
        }
    }

    @Override
    public String toString() {
        return info + (mapping != null ? " mapped" : " pread");
    }
}
