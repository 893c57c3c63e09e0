package io.github.scanout.bench;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.sim.internal.DeviceContext;
import io.github.scanout.sim.internal.DeviceFile;
import io.github.scanout.sim.internal.MdpyModel;
import io.github.scanout.sim.internal.SimKernel;
import io.github.scanout.sim.internal.Surface;

/**
 * A simulated mdpy (region display) of any size: the sim's own {@link MdpyModel} opened exactly
 * as {@code MdpyDevice.open} does (a {@link SimKernel} over the host kernel, memfd-backed
 * framebuffer region mapped through the host). {@code sim:mdpy-hd} is this at 1920x1080; the
 * kernel sample has no 4K type, so the 4K figure needs this class. The guest side is
 * {@link #touch}: it writes into the framebuffer as a guest would.
 *
 * <p>Threads: {@link #touch} from any thread (under the model's lock, as the sim's guest calls).
 */
final class RegionDevice implements DeviceEndpoint {
    private final String name;
    private final MdpyModel model;

    RegionDevice(String name, int width, int height) {
        this.name = name;
        this.model = new MdpyModel(new DeviceContext(name), "bench", width, height);
    }

    /** 1080p or 4k. */
    static RegionDevice of(String size) {
        return switch (size) {
            case "1080p" -> new RegionDevice("sim:mdpy-1080p", 1920, 1080);
            case "4k" -> new RegionDevice("sim:mdpy-4k", 3840, 2160);
            default -> throw new IllegalArgumentException("size must be 1080p or 4k, got " + size);
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceEndpoint.OpenDevice open(Kernel host) throws DeviceException {
        model.context().checkPresent("open");
        SimKernel kernel = new SimKernel(host, model.context());
        model.fileOpened(host);
        int fd = kernel.install(new DeviceFile(model), true);
        return new DeviceEndpoint.OpenDevice(kernel, fd);
    }

    /**
     * The guest changes its picture: a 1x8 pixel column at {@code n % width} (8 rows, so every
     * row phase of the change detector sees it on the first look).
     */
    void touch(long n) {
        synchronized (model.lock()) {
            Surface s = model.primary().orElseThrow();
            s.fillRect((int) (n % s.width()), 0, 1, 8, 0xff000000 | (int) (n * 2654435761L));
        }
    }

    long frameBytes() {
        Surface s = model.primary().orElseThrow();
        return (long) s.stride() * s.height();
    }
}
