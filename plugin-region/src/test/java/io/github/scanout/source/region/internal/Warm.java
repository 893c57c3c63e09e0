package io.github.scanout.source.region.internal;

import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.MdpyDevice;

/** Test fixture for resource counts. */
final class Warm {
    private Warm() {}

    /**
     * One poll of every kind before a test counts fds and mappings, so that what class loading
     * opens once (jar files, JNA's native library) is not counted as a leak.
     */
    static void up() throws Exception {
        try (GfxDevice device = new Devices().open(MdpyDevice.create(MdpyDevice.Type.VGA));
                RegionSession s = new RegionSession(device, RegionSettings.defaults(), (l, m) -> {}, System::nanoTime)) {
            s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
            s.acquire(PlaneType.PRIMARY, true).orElseThrow().close();
        }
    }
}
