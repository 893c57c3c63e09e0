package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.GvtDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simulated Intel GVT-g opened through core, handing out its primary plane as PlaneBuffers the
 * way the dma-buf plane source does (one GET_GFX_DMABUF per buffer), and playing the GPU for
 * {@link FakeEgl}: the driver's DMA reads buffer memory that user space may not map.
 */
final class GvtBuffers implements AutoCloseable, FakeEgl.Memory {
    final GvtDevice gvt;
    final GfxDevice device;
    private final Map<Integer, DmaBuf> byFd = new ConcurrentHashMap<>();
    private volatile boolean mmapAllowed;

    GvtBuffers(GvtDevice gvt) throws Exception {
        this.gvt = gvt;
        this.device = new Devices().open(gvt);
    }

    PlaneInfo primary() throws Exception {
        return device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
    }

    /** The primary plane as a dma-buf the CPU cannot map (what GVT-g gives). */
    PlaneBuffer unmappable() throws Exception {
        PlaneInfo info = primary();
        DmaBuf d = device.openDmaBuf(info);
        byFd.put(d.fd(), d);
        return PlaneBuffer.create(info, MemoryKind.DMABUF_FD, null, d, () -> {
            byFd.remove(d.fd());
            d.close();
        });
    }

    /** The primary plane as a mapped dma-buf (GVT with mmap allowed): CPU-readable and importable. */
    PlaneBuffer mapped() throws Exception {
        PlaneInfo info = primary();
        DmaBuf d = device.openDmaBuf(info);
        byFd.put(d.fd(), d);
        MappedMemory m;
        allow(true);
        try {
            m = d.mapReadOnly();
        } finally {
            allow(false);
        }
        return PlaneBuffer.create(info, MemoryKind.DMABUF_MAPPING, m.view(0, Math.toIntExact(info.requiredBytes())), d,
                () -> {
                    m.close();
                    byFd.remove(d.fd());
                    d.close();
                });
    }

    private synchronized void allow(boolean allowed) {
        mmapAllowed = allowed;
        gvt.allowDmaBufMmap(allowed);
    }

    @Override
    public synchronized ByteBuffer read(int fd, long offset, int length) throws Exception {
        DmaBuf d = byFd.get(fd);
        if (d == null) {
            throw new IllegalStateException("fd " + fd + " is not a live dma-buf of " + gvt.name());
        }
        allow(true);
        try (MappedMemory m = d.mapReadOnly()) {
            ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(m.view(offset, length)).flip();
            return copy;
        } finally {
            allow(false);
        }
    }

    /** Simulated fds open now (device fd included). */
    int liveFds() {
        return gvt.liveFds();
    }

    @Override
    public void close() {
        device.close();
    }
}
