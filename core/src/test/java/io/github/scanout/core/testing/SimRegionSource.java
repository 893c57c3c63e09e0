package io.github.scanout.core.testing;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A minimal region plane source for core's tests (the real one is plugin-region): maps the
 * plane's region once per buffer identity and hands out live views (or heap snapshots when
 * asked for consistent bytes). The mapping is released when the session and every lease on it
 * are closed. No cursor (mdpy has none).
 */
public final class SimRegionSource implements PlaneSource {

    @Override
    public BufferType bufferType() {
        return BufferType.REGION;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public PlaneSession open(GfxDevice device) {
        return new PlaneSession() {
            private PlaneBuffer master;

            @Override
            public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
                if (plane != PlaneType.PRIMARY) {
                    return Optional.empty();
                }
                Optional<PlaneInfo> p = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY);
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                PlaneInfo info = p.get();
                if (master == null || !master.info().key().equals(info.key())) {
                    if (master != null) {
                        master.close();
                    }
                    MappedMemory m = device.mapRegion((int) info.bufferId());
                    ByteBuffer view = m.view(0, Math.toIntExact(info.requiredBytes()));
                    master = PlaneBuffer.create(info, MemoryKind.LIVE_MAPPING, view, null, m);
                }
                if (consistent) {
                    ByteBuffer copy = ByteBuffer.allocate(Math.toIntExact(info.requiredBytes())).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(master.pixels());
                    copy.flip();
                    return Optional.of(PlaneBuffer.create(info, MemoryKind.SNAPSHOT, copy, null, null));
                }
                return Optional.of(master.retain());
            }

            @Override
            public void reset() {
                close();
            }

            @Override
            public void close() {
                if (master != null) {
                    master.close();
                    master = null;
                }
            }
        };
    }
}
