package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.MappedMemory;

/**
 * One dma-buf of a device, as {@code GET_GFX_DMABUF} returned it: its fd and, when the producer
 * allows CPU access, its read-only shared mapping (made once, when the buffer is first seen).
 *
 * <p>Reference counted by {@link BufferCache} (under its lock): one reference while the cache
 * keeps it, one per plane that shows it, one per buffer handed out. The mapping and the fd are
 * released when the last reference goes.
 */
final class CachedBuffer {
    final PlaneInfo.BufferKey key;
    final DmaBuf dmaBuf;
    /** Null when the CPU may not map it ({@link #mapRefusal} says why). */
    final MappedMemory mapping;
    final DeviceException mapRefusal;
    int refs;
    boolean cached;
    boolean closed;

    CachedBuffer(PlaneInfo.BufferKey key, DmaBuf dmaBuf, MappedMemory mapping, DeviceException mapRefusal) {
        this.key = key;
        this.dmaBuf = dmaBuf;
        this.mapping = mapping;
        this.mapRefusal = mapRefusal;
    }

    /** Bytes it holds: the dma-buf's real size. */
    long bytes() {
        return dmaBuf.size();
    }

    boolean mappable() {
        return mapping != null;
    }

    /** Unmaps and closes the fd; only once the last reference is gone. */
    void free() {
        try {
            if (mapping != null) {
                mapping.close();
            }
        } finally {
            dmaBuf.close();
        }
    }

    @Override
    public String toString() {
        return "dma-buf " + key.bufferId() + " " + key.format() + " " + key.width() + "x" + key.height()
                + (mapping != null ? " mapped" : " fd only") + " refs " + refs;
    }
}
