package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The dma-bufs of one device open, keyed by buffer identity: dmabuf_id, format, modifier, width,
 * height, stride and size ({@link PlaneInfo#key()}), because Intel GVT-g reuses ids for different
 * buffers once an object is freed.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code GET_GFX_DMABUF} is called at most once per <em>live</em> identity: every buffer
 *       whose fd is still open (cached, shown, or only leased by a consumer) is found again by
 *       its identity and reused. A second call for a live mbochs id is a use-after-free that hangs
 *       the kernel. While an fd is open the driver keeps its object, so the id cannot name
 *       another buffer meanwhile.</li>
 *   <li>The cache keeps at most {@code maxEntries} buffers and {@code maxBytes} bytes, most
 *       recently used first (QEMU keeps 5); the buffer just used is never evicted, even when it
 *       alone is larger than {@code maxBytes}. An evicted buffer closes its fd and mapping when
 *       its last lease closes.</li>
 *   <li>{@link #clear()} (device reset, session close) drops every reference the cache holds.</li>
 *   <li>An id whose dma-buf is open, answered with another layout (GVT-g matches its objects
 *       without the stride; a hostile device may answer anything), is served by duplicating the
 *       open fd ({@link DmaBuf#duplicate()}), never by a second {@code GET_GFX_DMABUF}, and the
 *       new layout must fit in it.</li>
 *   <li>A non-transient failure of {@code GET_GFX_DMABUF} for an identity is remembered: the same
 *       identity is refused again without a call until the plane changes or the cache is
 *       cleared, so a bad answer repeated on every poll costs no ioctl and no fd.</li>
 * </ul>
 *
 * <p>Threads: {@link #obtain} and {@link #clear} on the capture thread; {@link #release} on any
 * thread (a lease's last close).
 */
final class BufferCache {
    private final GfxDevice device;
    private final int maxEntries;
    private final long maxBytes;
    private final Consumer<DeviceException> mmapRefused;
    private final Object lock = new Object();
    /** Access-ordered: eldest first. Guarded by {@link #lock}. */
    private final LinkedHashMap<PlaneInfo.BufferKey, CachedBuffer> lru = new LinkedHashMap<>(16, 0.75f, true);
    /** Every buffer whose fd is open. Guarded by {@link #lock}. */
    private final Map<PlaneInfo.BufferKey, CachedBuffer> alive = new HashMap<>();
    private long cachedBytes;
    private PlaneInfo.BufferKey failedKey;
    private DeviceException failure;

    /**
     * @param mmapRefused told when the producer refuses to map a new buffer for the CPU
     */
    BufferCache(GfxDevice device, int maxEntries, long maxBytes, Consumer<DeviceException> mmapRefused) {
        this.device = Objects.requireNonNull(device, "device");
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.mmapRefused = Objects.requireNonNull(mmapRefused, "mmapRefused");
    }

    /**
     * The buffer of this plane, with one reference for the caller: a live one when its identity is
     * known, else a new one from {@code GET_GFX_DMABUF} (mapped for the CPU if the producer lets).
     *
     * @throws DeviceException from the device (transient ones are not remembered)
     */
    CachedBuffer obtain(PlaneInfo plane) throws DeviceException {
        PlaneInfo.BufferKey key = plane.key();
        List<CachedBuffer> evicted = List.of();
        CachedBuffer found;
        CachedBuffer sameId = null;
        synchronized (lock) {
            found = alive.get(key);
            if (found != null) {
                found.refs++;
                evicted = keep(found);
            } else {
                for (CachedBuffer b : alive.values()) {
                    if (b.key.bufferId() == key.bufferId()) {
                        sameId = b;
                        b.refs++; // held while it is duplicated outside the lock
                        break;
                    }
                }
            }
        }
        if (found != null) {
            free(evicted);
            return found;
        }
        DmaBuf dmaBuf;
        try {
            if (key.equals(failedKey)) {
                throw new DeviceException("dma-buf " + key.bufferId() + " of " + device.name() + " (" + plane
                        + ") failed before and is not asked for again while the plane stays the same: "
                        + failure.getMessage(), failure);
            }
            dmaBuf = sameId != null ? duplicate(sameId, plane) : device.openDmaBuf(plane);
        } catch (DeviceException e) {
            if (!e.isTransient() && !key.equals(failedKey)) {
                failedKey = key;
                failure = e;
            }
            throw e;
        } finally {
            if (sameId != null) {
                release(sameId);
            }
        }
        failedKey = null;
        failure = null;
        MappedMemory mapping = null;
        DeviceException refusal = null;
        try {
            mapping = dmaBuf.mapReadOnly();
        } catch (DeviceException e) {
            refusal = e;
        } catch (RuntimeException e) {
            dmaBuf.close();
            throw e;
        }
        CachedBuffer fresh = new CachedBuffer(key, dmaBuf, mapping, refusal);
        synchronized (lock) {
            fresh.refs = 1;
            alive.put(key, fresh);
            evicted = keep(fresh);
        }
        free(evicted);
        if (refusal != null) {
            mmapRefused.accept(refusal);
        }
        return fresh;
    }

    /**
     * The device named an id whose dma-buf is open with another layout. While its fd is open the
     * driver keeps that buffer object, so the id still names it (GVT-g matches objects without the
     * stride; a hostile device may say anything): duplicate the open fd rather than asking again,
     * which would free a live mbochs buffer. The layout must fit in it.
     */
    private DmaBuf duplicate(CachedBuffer open, PlaneInfo plane) throws DeviceException {
        DmaBuf dup = open.dmaBuf.duplicate();
        long needed = plane.requiredBytes();
        if (dup.size() < needed) {
            dup.close();
            throw new DeviceException("dma-buf " + plane.bufferId() + " of " + device.name() + " holds " + dup.size()
                    + " bytes but the layout of " + plane + " needs " + needed + " (the id names a dma-buf already open"
                    + " with another layout)");
        }
        return dup;
    }

    /** Makes {@code b} the most recently used cached buffer and evicts beyond the bounds. Under the lock. */
    /** Marks a buffer a session uses again without looking it up as the most recently used. */
    void touch(CachedBuffer b) {
        synchronized (lock) {
            if (b.cached) {
                lru.get(b.key); // access order; allocates nothing
            }
        }
    }

    private List<CachedBuffer> keep(CachedBuffer b) {
        if (b.cached) {
            lru.get(b.key); // access order: now the most recent
        } else {
            b.cached = true;
            b.refs++;
            lru.put(b.key, b);
            cachedBytes += b.bytes();
        }
        List<CachedBuffer> out = new ArrayList<>();
        Iterator<CachedBuffer> it = lru.values().iterator();
        while ((lru.size() > maxEntries || cachedBytes > maxBytes) && it.hasNext()) {
            CachedBuffer eldest = it.next();
            if (eldest == b) {
                continue;
            }
            it.remove();
            uncache(eldest, out);
        }
        return out;
    }

    private void uncache(CachedBuffer b, List<CachedBuffer> out) {
        b.cached = false;
        cachedBytes -= b.bytes();
        unref(b, out);
    }

    private void unref(CachedBuffer b, List<CachedBuffer> out) {
        if (--b.refs == 0) {
            b.closed = true;
            alive.remove(b.key, b);
            out.add(b);
        }
    }

    /** Another reference on a buffer the caller holds one on. Any thread. */
    CachedBuffer retain(CachedBuffer b) {
        synchronized (lock) {
            if (b.closed) {
                throw new IllegalStateException(b + " is already closed");
            }
            b.refs++;
        }
        return b;
    }

    /** Gives a reference back; the last one closes the mapping and the fd. Any thread. */
    void release(CachedBuffer b) {
        List<CachedBuffer> out = new ArrayList<>(1);
        synchronized (lock) {
            unref(b, out);
        }
        free(out);
    }

    /** Drops every reference the cache holds (reset, close); buffers still referenced stay open. */
    void clear() {
        List<CachedBuffer> out = new ArrayList<>();
        synchronized (lock) {
            for (CachedBuffer b : lru.values()) {
                uncache(b, out);
            }
            lru.clear();
            failedKey = null;
            failure = null;
        }
        free(out);
    }

    private static void free(List<CachedBuffer> buffers) {
        for (CachedBuffer b : buffers) {
            b.free();
        }
    }

    /** Buffers the cache keeps. */
    int size() {
        synchronized (lock) {
            return lru.size();
        }
    }

    /** Bytes of the buffers the cache keeps. */
    long bytes() {
        synchronized (lock) {
            return cachedBytes;
        }
    }

    /** Buffers whose fd is open: cached, shown or leased. */
    int alive() {
        synchronized (lock) {
            return alive.size();
        }
    }
}
