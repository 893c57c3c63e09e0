package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.device.RegionInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test fixture: a {@link GfxDevice} that records the calls a session makes on a real one. */
final class CountingDevice implements GfxDevice {
    private final GfxDevice d;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    CountingDevice(GfxDevice d) {
        this.d = d;
    }

    /** Calls made so far, for example {@code "queryPlane PRIMARY"}, {@code "mapRegion 16"}. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    void clear() {
        calls.clear();
    }

    @Override
    public String name() {
        return d.name();
    }

    @Override
    public DeviceInfo info() {
        return d.info();
    }

    @Override
    public boolean probe(BufferType type) throws DeviceException {
        calls.add("probe " + type);
        return d.probe(type);
    }

    @Override
    public Optional<PlaneInfo> queryPlane(BufferType type, PlaneType plane) throws DeviceException {
        calls.add("queryPlane " + plane);
        return d.queryPlane(type, plane);
    }

    @Override
    public DmaBuf openDmaBuf(PlaneInfo plane) throws DeviceException {
        calls.add("openDmaBuf " + plane.bufferId());
        return d.openDmaBuf(plane);
    }

    @Override
    public RegionInfo regionInfo(int index) throws DeviceException {
        calls.add("regionInfo " + index);
        return d.regionInfo(index);
    }

    @Override
    public MappedMemory mapRegion(int index) throws DeviceException {
        calls.add("mapRegion " + index);
        return d.mapRegion(index);
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) throws DeviceException {
        calls.add("readRegion " + index);
        d.readRegion(index, offset, dst);
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) throws DeviceException {
        calls.add("writeRegion " + index);
        d.writeRegion(index, offset, src);
    }

    @Override
    public Optional<EdidRegion> edid() throws DeviceException {
        return d.edid();
    }

    @Override
    public void reset() throws DeviceException {
        calls.add("reset");
        d.reset();
    }

    @Override
    public void close() {
        d.close();
    }
}
