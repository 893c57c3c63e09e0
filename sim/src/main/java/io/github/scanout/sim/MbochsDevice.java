package io.github.scanout.sim;

import io.github.scanout.sim.internal.DeviceContext;
import io.github.scanout.sim.internal.MbochsModel;

/**
 * A simulated {@code mbochs} (the kernel's dma-buf display sample, an emulated Bochs VGA). The
 * guest sets modes through {@link #guest()} (DISPI registers); the plane follows the registers;
 * dma-bufs alias VRAM at the framebuffer offset. See {@link MbochsModel} for every quirk
 * reproduced: the ENOMEM on the first query of a new mode, ids never reused and counting across
 * opens, ENOENT for unknown ids, EINVAL for a framebuffer that is not page aligned, dma-bufs
 * without FD_CLOEXEC that refuse mmap (EINVAL, or EACCES for shared writable mappings), VRAM
 * freed on close, and the use-after-free of a second GET_GFX_DMABUF for a live id, which is
 * recorded as a {@linkplain #violations() violation}.
 *
 * <p>Threads: see {@link SimDevice}.
 */
public final class MbochsDevice extends SimDevice {

    /** The mdev types of the sample. */
    public enum Type {
        SMALL("small", 4, 800, 600),
        MEDIUM("medium", 16, 1920, 1440),
        LARGE("large", 64, 0, 0);

        private final String sysfsName;
        private final int megabytes;
        private final int maxXres;
        private final int maxYres;

        Type(String sysfsName, int megabytes, int maxXres, int maxYres) {
            this.sysfsName = sysfsName;
            this.megabytes = megabytes;
            this.maxXres = maxXres;
            this.maxYres = maxYres;
        }

        public String sysfsName() {
            return sysfsName;
        }

        /** VRAM in MiB. */
        public int megabytes() {
            return megabytes;
        }

        /** The EDID region's max_xres (0: no limit); the driver does not enforce it. */
        public int maxXres() {
            return maxXres;
        }

        public int maxYres() {
            return maxYres;
        }
    }

    private final Type type;
    private final MbochsModel mbochs;
    private final Guest guest;

    private MbochsDevice(String name, Type type, MbochsModel model) {
        super(name, model.context(), model);
        this.type = type;
        this.mbochs = model;
        this.guest = new Guest(model);
    }

    /** A new device named {@code sim:mbochs?type=<type>}, no mode set (plane disabled). */
    public static MbochsDevice create(Type type) {
        return create("sim:mbochs?type=" + type.sysfsName(), type);
    }

    static MbochsDevice create(String name, Type type) {
        return new MbochsDevice(name, type, new MbochsModel(new DeviceContext(name), type.sysfsName(),
                type.megabytes(), type.maxXres(), type.maxYres()));
    }

    public Type type() {
        return type;
    }

    /** The guest driver: sets modes through the DISPI registers. */
    public Guest guest() {
        return guest;
    }

    /** VRAM bytes. */
    public long vramSize() {
        return mbochs.memsize();
    }

    /**
     * Lets user space map this device's dma-bufs (the sim then exports them read-write), for
     * tests of CPU paths; the real driver refuses (the default).
     */
    public void allowDmaBufMmap(boolean allowed) {
        mbochs.dmabufMmapAllowed(allowed);
    }

    /** Buffer objects on the driver's list (one per mode seen since the device was opened). */
    public int bufferObjects() {
        return mbochs.buffers();
    }

    /**
     * The guest switches between {@code modes} (each {@code {width, height}}, 32 bpp), one every
     * {@code every}, starting with the first now, and draws the test pattern after each switch
     * (the spec's {@code mode=WxH,WxH/SECONDS}): a guest whose resolution changes while a viewer
     * watches. Applied when the primary plane is next queried, so no thread is needed.
     *
     * @throws IllegalArgumentException for no mode or a period that is not positive
     * @since 0.4.0
     */
    public void cycleModes(java.util.List<int[]> modes, java.time.Duration every) {
        if (modes.isEmpty() || every.isZero() || every.isNegative()) {
            throw new IllegalArgumentException("a mode cycle needs modes and a positive period, got " + modes.size()
                    + " modes every " + every);
        }
        java.util.List<int[]> list = java.util.List.copyOf(modes);
        long period = every.toNanos();
        synchronized (mbochs.lock()) {
            guest.setMode(list.get(0)[0], list.get(0)[1]);
            drawTestPattern(frame());
        }
        long start = mbochs.context().nanoTime();
        int[] shown = {0};
        mbochs.beforePrimaryQuery(() -> {
            int i = (int) Math.floorMod((mbochs.context().nanoTime() - start) / period, (long) list.size());
            if (i != shown[0]) {
                shown[0] = i;
                guest.setMode(list.get(i)[0], list.get(i)[1]);
                drawTestPattern(frame());
            }
        });
    }

    /** The guest writes ENABLE 0. */
    @Override
    public void disablePlane() {
        guest.disable();
    }
}
