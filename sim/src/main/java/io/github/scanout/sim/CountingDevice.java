package io.github.scanout.sim;

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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link GfxDevice} that records the calls a plane session makes on a real one (usually a
 * simulated device opened through core, {@code new CountingDevice(new Devices().open(sim))}),
 * so a test can assert what a plane source asks of the device and how often: one
 * {@code regionInfo} per remap, no {@code openDmaBuf} per frame, no cursor query when it is
 * switched off. Every call is passed on unchanged; {@link #close()} closes the wrapped device.
 *
 * <p>Threads: the same as the wrapped device's; the record is thread-safe and may be read
 * from any thread.
 */
public final class CountingDevice implements GfxDevice {
    private final GfxDevice d;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** @param d the device to pass every call to */
    public CountingDevice(GfxDevice d) {
        this.d = Objects.requireNonNull(d, "d");
    }

    /**
     * Calls made so far, oldest first, as the method name and its main argument:
     * {@code "probe DMABUF"}, {@code "queryPlane PRIMARY"}, {@code "openDmaBuf 3"},
     * {@code "regionInfo 16"}, {@code "mapRegion 16"}, {@code "readRegion 16"},
     * {@code "writeRegion 16"}, {@code "reset"}. ({@code name}, {@code info}, {@code edid}
     * and {@code close} are not recorded.) Any thread.
     */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** How many recorded calls equal {@code call}, for example {@code count("mapRegion 16")}. Any thread. */
    public long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    /** Forgets the calls recorded so far. Any thread. */
    public void clear() {
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

    @Override
    public String toString() {
        return "CountingDevice[" + d.name() + "]";
    }
}
