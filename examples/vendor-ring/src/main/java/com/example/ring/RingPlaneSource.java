package com.example.ring;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.SnapshotPool;
import io.github.scanout.sim.ExtendedDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.sim.SimBufferType;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimPlane;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * "ring" buffers, a made-up vendor buffer type: the device keeps the last few frames in one
 * region, and each plane query says which of them is current.
 *
 * <p>The (invented) ABI: flag 0x8 in {@code vfio_device_gfx_plane_info.flags}; the answer's
 * {@code region_index} field holds {@code region << 16 | slot}; slot {@code k} is the plane's
 * {@code size} bytes from {@code k * size} in that region, laid out as the plane says.
 *
 * <p>The component is also a {@link DeviceProvider} for scheme {@code ring:}: simulated devices
 * that offer ring buffers ({@code ring:mdpy-xga} is {@code sim:mdpy-xga} plus rings), so the
 * type can be tried in a running Scanout without the vendor's hardware.
 *
 * <p>Threads: {@link #probe} and {@link #open} on the pipeline's control thread; a session's
 * methods on the device's capture thread, one at a time.
 */
@Component(service = {PlaneSource.class, DeviceProvider.class}, property = "scanout.scheme=ring")
public final class RingPlaneSource implements PlaneSource, DeviceProvider {
    public static final BufferType RING = new BufferType("ring", 0x8);

    private final DeviceProvider demo = ExtendedDevice.provider("ring", new Simulated());

    @Override
    public BufferType bufferType() {
        return RING;
    }

    /** Above dma-buf (200) and region (100): a device that offers rings is read through them. */
    @Override
    public int priority() {
        return 300;
    }

    @Override
    public PlaneSession open(GfxDevice device) {
        return new Session(device);
    }

    @Override
    public String scheme() {
        return demo.scheme();
    }

    @Override
    public DeviceEndpoint resolve(String spec) throws DeviceException {
        return demo.resolve(spec);
    }

    /** Copies the current slot of the ring into a pooled snapshot on every acquire. */
    static final class Session implements PlaneSession {
        private final GfxDevice device;
        private final SnapshotPool pool;
        private MappedMemory region;
        private int regionIndex = -1;

        Session(GfxDevice device) {
            this.device = device;
            this.pool = new SnapshotPool("primary plane of " + device.name() + " (ring)", 4);
        }

        /** Always a snapshot: the guest writes the next slot meanwhile, so a copy of this one is whole. */
        @Override
        public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
            Optional<PlaneInfo> answer = device.queryPlane(RING, plane);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            PlaneInfo p = answer.get();
            int index = (int) (p.bufferId() >>> 16);
            long slot = p.bufferId() & 0xffff;
            MappedMemory memory = map(index);
            long start = slot * p.size();
            int bytes = Math.toIntExact(p.requiredBytes());
            if (start + bytes > memory.size()) {
                throw new DeviceException(device.name() + ": ring slot " + slot + " (" + p.size() + " bytes each) lies"
                        + " outside region " + index + " (" + memory.size() + " bytes)", Errno.EINVAL.number());
            }
            return Optional.of(pool.snapshot(p, copy -> copy.put(0, memory.view(start, bytes), 0, bytes)));
        }

        private MappedMemory map(int index) throws DeviceException {
            if (index != regionIndex) {
                unmap();
                region = device.mapRegion(index);
                regionIndex = index;
            }
            return region;
        }

        private void unmap() {
            if (region != null) {
                region.close();
                region = null;
                regionIndex = -1;
            }
        }

        @Override
        public void reset() {
            unmap();
            pool.clear();
        }

        @Override
        public void close() {
            reset();
        }
    }

    /**
     * The device side of rings, on a simulated device: three slots in region 20; every query of
     * the primary plane lets an animated guest draw its next frame into the next slot.
     */
    static final class Simulated implements SimBufferType {
        static final int SLOTS = 3;
        static final int REGION = 20;

        @Override
        public BufferType bufferType() {
            return RING;
        }

        @Override
        public Region region(SimDevice device) {
            return new Region(REGION, SLOTS * 2560L * 1600 * 4);
        }

        @Override
        public void answer(SimDevice guest, PlaneType plane, ByteBuffer region, ScriptedDevice.Answer a) {
            Optional<SimPlane> mode = guest.primaryPlane();
            if (plane != PlaneType.PRIMARY || mode.isEmpty()) {
                return; // left disabled: rings have no cursor
            }
            if (guest.isAnimating()) {
                guest.drawNextFrame();
            }
            int width = mode.get().width();
            int height = mode.get().height();
            if ((long) width * height * 4 * SLOTS > region.capacity()) {
                return; // a mode larger than 2560x1600: left disabled
            }
            int slot = (int) (guest.frame() % SLOTS);
            region.position(slot * width * height * 4);
            region.asIntBuffer().put(guest.pixels()); // 0xAARRGGBB little-endian is XRGB8888
            a.format = DrmFormat.XRGB8888.fourcc();
            a.width = width;
            a.height = height;
            a.stride = width * 4;
            a.size = width * height * 4;
            a.bufferId = REGION << 16 | slot;
        }
    }
}
