package io.github.scanout.core.testing;

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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A device for pipelines whose plane source is a fake: it only counts closes. */
public final class NullDevice implements GfxDevice {
    private final String name;
    public final AtomicInteger closes = new AtomicInteger();

    public NullDevice(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceInfo info() {
        return new DeviceInfo(0, 0, 0);
    }

    @Override
    public boolean probe(BufferType type) {
        return true;
    }

    @Override
    public Optional<PlaneInfo> queryPlane(BufferType type, PlaneType plane) throws DeviceException {
        throw new DeviceException("NullDevice has no planes");
    }

    @Override
    public DmaBuf openDmaBuf(PlaneInfo plane) throws DeviceException {
        throw new DeviceException("NullDevice has no dma-bufs");
    }

    @Override
    public RegionInfo regionInfo(int index) throws DeviceException {
        throw new DeviceException("NullDevice has no regions");
    }

    @Override
    public MappedMemory mapRegion(int index) throws DeviceException {
        throw new DeviceException("NullDevice has no regions");
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) throws DeviceException {
        throw new DeviceException("NullDevice has no regions");
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) throws DeviceException {
        throw new DeviceException("NullDevice has no regions");
    }

    @Override
    public Optional<EdidRegion> edid() {
        return Optional.empty();
    }

    @Override
    public void reset() {}

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
