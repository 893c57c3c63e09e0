package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.SimDevices;

/** Test fixture for resource counts. */
final class Warm {
    private Warm() {}

    /**
     * Polls of every kind before a test counts fds and mappings, so that what class loading
     * opens once (jar files, JNA's native library) is not counted as a leak.
     */
    static void up() throws Exception {
        for (String spec : new String[] {"sim:gvt?mmap=allow&tiling=y", "sim:gvt?mmap=allow", "sim:gvt",
            "sim:mbochs?mode=640x480&mmap=allow", "sim:mbochs?mode=640x480"}) {
            try (GfxDevice device = new Devices().open(SimDevices.create(spec));
                    DmaBufSession s = new DmaBufSession(device, DmaBufSettings.defaults(), (l, m) -> {}, System::nanoTime)) {
                for (int i = 0; i < 2; i++) {
                    for (boolean consistent : new boolean[] {false, true}) {
                        s.acquire(PlaneType.PRIMARY, consistent).ifPresent(b -> b.close());
                        s.acquire(PlaneType.CURSOR, consistent).ifPresent(b -> b.close());
                    }
                }
            }
        }
    }
}
