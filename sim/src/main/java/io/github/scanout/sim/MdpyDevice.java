package io.github.scanout.sim;

import io.github.scanout.sim.internal.DeviceContext;
import io.github.scanout.sim.internal.MdpyModel;

/**
 * A simulated {@code mdpy} (the kernel's region-display sample): a fixed XRGB8888 framebuffer
 * in region 16 (outside the 9 regions GET_INFO reports) at device-fd offset 0x1000, its size
 * the framebuffer rounded up to a power of two. Only {@code PROBE|REGION} succeeds; the plane
 * type is ignored; the framebuffer starts as the driver's grey gradient.
 *
 * <p>pread/pwrite of the framebuffer reproduce the driver bug that ignores the offset (every
 * access hits the first bytes): read it through mmap, as Scanout must on a real mdpy.
 *
 * <p>Threads: see {@link SimDevice}.
 */
public final class MdpyDevice extends SimDevice {

    /** The mdev types of the sample. */
    public enum Type {
        VGA("vga", 640, 480),
        XGA("xga", 1024, 768),
        HD("hd", 1920, 1080);

        private final String sysfsName;
        private final int width;
        private final int height;

        Type(String sysfsName, int width, int height) {
            this.sysfsName = sysfsName;
            this.width = width;
            this.height = height;
        }

        /** {@code vga}, {@code xga} or {@code hd}. */
        public String sysfsName() {
            return sysfsName;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }
    }

    private final Type type;
    private final MdpyModel mdpy;

    private MdpyDevice(String name, Type type, MdpyModel model) {
        super(name, model.context(), model);
        this.type = type;
        this.mdpy = model;
    }

    /** A new device named {@code sim:mdpy-<type>}. */
    public static MdpyDevice create(Type type) {
        return create("sim:mdpy-" + type.sysfsName(), type);
    }

    static MdpyDevice create(String name, Type type) {
        return new MdpyDevice(name, type, new MdpyModel(new DeviceContext(name), type.sysfsName(), type.width(),
                type.height()));
    }

    public Type type() {
        return type;
    }

    /** Bytes in the framebuffer region (a power of two). */
    public long framebufferSize() {
        return mdpy.memsize();
    }

    /** Not supported: the mdpy driver always reports its plane. */
    @Override
    public void disablePlane() {
        throw new UnsupportedOperationException(name() + ": the mdpy driver has no disabled state; its plane is always"
                + " reported");
    }
}
