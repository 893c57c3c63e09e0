package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.sim.internal.DeviceContext;
import io.github.scanout.sim.internal.DeviceFile;
import io.github.scanout.sim.internal.DriverModel;
import io.github.scanout.sim.internal.SimKernel;
import io.github.scanout.sim.internal.Surface;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A simulated vGPU: an endpoint Scanout opens like a VFIO device, plus a scripting API that
 * plays the guest (drawing, mode changes) and the environment (injected failures, the device
 * vanishing), and counters tests assert on.
 *
 * <p>{@link #open(Kernel)} returns a kernel that answers every call on the device fd, and on
 * the dma-buf fds it hands out, with a model of the real driver; every other fd goes to the
 * host kernel. The device outlives its opens, as an mdev does: driver state that the real
 * driver keeps across opens (mbochs buffer ids, registers) is kept. Device memory lives in
 * memfds of the host kernel while the device is open and on the Java heap while it is closed,
 * so a test can draw before opening, and a closed device holds no fds (a live dma-buf keeps
 * its own memory's memfd until it is closed).
 *
 * <p>Threads: every method may be called from any thread, also while other threads make system
 * calls on the device. State changes and memory accesses are serialised on the device's lock,
 * like the drivers' {@code ops_lock}; a consumer's own mapping of device memory may of course
 * see a frame half drawn, as with a real guest.
 */
public abstract sealed class SimDevice implements DeviceEndpoint permits MdpyDevice, MbochsDevice, GvtDevice {
    private final String name;
    private final DeviceContext ctx;
    private final DriverModel model;

    SimDevice(String name, DeviceContext ctx, DriverModel model) {
        this.name = name;
        this.ctx = ctx;
        this.model = model;
    }

    final DriverModel model() {
        return model;
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Opens the device, as Scanout's whole open sequence on a real mdev would: a new device file
     * with FD_CLOEXEC. Fails with ENODEV once the device {@linkplain #vanish() vanished}, and with
     * EBUSY while it is open already (a real group file or cdev binding is exclusive: a second
     * open in one process gets EBUSY, as another process such as QEMU would).
     */
    @Override
    public final OpenDevice open(Kernel host) throws DeviceException {
        Objects.requireNonNull(host, "host");
        ctx.checkPresent("open");
        if (model.openFiles() > 0) {
            throw new DeviceException(name() + " is already open (one open at a time, as a VFIO group or a bound"
                    + " cdev)", io.github.scanout.api.Errno.EBUSY.number());
        }
        SimKernel kernel = new SimKernel(host, ctx);
        model.fileOpened(host);
        int fd = kernel.install(new DeviceFile(model), true);
        return new OpenDevice(kernel, fd);
    }

    // ---- the simulated guest ------------------------------------------------------------------

    /**
     * Turns the {@code animate} option on or off: when on, every primary-plane query that comes
     * at least 1/60 s after the last frame first draws the next test-pattern frame (and GVT-g
     * moves its cursor along a path that leaves the screen at the top and left).
     */
    public final void setAnimate(boolean on) {
        ctx.animate(on);
    }

    public final boolean isAnimating() {
        return ctx.animate();
    }

    /** Replaces the clock {@code animate} reads ({@link System#nanoTime()} by default), for tests. */
    public final void setClock(LongSupplier nanoTime) {
        ctx.clock(nanoTime);
    }

    /**
     * Draws the next test-pattern frame (colour bars, a box moving 8 pixels per frame, the frame
     * number) into the current primary framebuffer: frame 0 first, then one more each call.
     *
     * @return the frame number drawn
     * @throws IllegalStateException when the guest has no framebuffer (plane disabled)
     */
    public final long drawNextFrame() {
        long n = model.drawNextFrame();
        if (n < 0) {
            throw noFramebuffer();
        }
        return n;
    }

    /** Draws test-pattern frame {@code frame}; the next {@link #drawNextFrame()} continues after it. */
    public final void drawTestPattern(long frame) {
        if (frame < 0) {
            throw new IllegalArgumentException("frame numbers start at 0, got " + frame);
        }
        if (!model.drawFrame(frame)) {
            throw noFramebuffer();
        }
    }

    /** The number of the last test-pattern frame drawn. */
    public final long frame() {
        return model.frame();
    }

    /** Fills the whole primary framebuffer with a 0xAARRGGBB colour. */
    public final void fill(int argb) {
        withPrimary(s -> {
            s.fillRect(0, 0, s.width(), s.height(), argb);
            return null;
        });
    }

    /** Fills a rectangle (clipped to the plane) of the primary framebuffer. */
    public final void fillRect(int x, int y, int width, int height, int argb) {
        withPrimary(s -> {
            s.fillRect(x, y, width, height, argb);
            return null;
        });
    }

    /** Sets one pixel of the primary framebuffer. */
    public final void setPixel(int x, int y, int argb) {
        withPrimary(s -> {
            s.setPixel(x, y, argb);
            return null;
        });
    }

    /** One pixel of the primary framebuffer as 0xAARRGGBB, decoded from memory (tiling included). */
    public final int pixel(int x, int y) {
        return withPrimary(s -> s.getPixel(x, y));
    }

    /**
     * Every pixel of the primary framebuffer, row by row, as 0xAARRGGBB decoded from device
     * memory: what a correct consumer shows (up to the format's precision).
     */
    public final int[] pixels() {
        return withPrimary(Surface::readAll);
    }

    /** The primary plane as the guest has set it up, or empty when it is disabled. */
    public final Optional<SimPlane> primaryPlane() {
        synchronized (model.lock()) {
            return model.primary().map(SimDevice::plane);
        }
    }

    /**
     * Disables the primary plane as the guest would (the device then answers queries with a
     * disabled plane).
     *
     * @throws UnsupportedOperationException for mdpy, whose driver has no disabled state
     */
    public abstract void disablePlane();

    // ---- the environment ------------------------------------------------------------------------

    /**
     * The next {@code n} ioctls on device fds of this device fail with {@code errno} before the
     * driver sees them (ioctls on dma-buf fds are not affected). {@code failNext(0, ...)} disarms.
     */
    public final void failNext(int n, Errno errno) {
        ctx.failNext(n, errno);
    }

    /** Injected failures still armed. */
    public final int failuresArmed() {
        return ctx.failuresArmed();
    }

    /**
     * The device disappears (the mdev was removed): from now on every open, ioctl, pread,
     * pwrite, lseek and mmap on its fds fails with ENODEV. {@code close}, {@code dup} and
     * {@code fcntl} keep working, as they do on a real fd whose device is gone, so callers can
     * still release everything; mappings made before stay valid until unmapped.
     */
    public final void vanish() {
        ctx.vanish();
    }

    /**
     * The vanished device is back, as an mdev created again with the same UUID (its memory and
     * mode as they were): opens work again, the fds and dma-bufs opened before stay dead (ENODEV).
     */
    public final void reappear() {
        ctx.reappear();
    }

    /**
     * From now on the device is present for {@code up}, then {@linkplain #vanish() vanished} for
     * {@code down}, then {@linkplain #reappear() back}, and so on, as a script that removes and
     * creates the mdev again would make it (the spec option {@code flap=UP/DOWN}).
     */
    public final void flap(java.time.Duration up, java.time.Duration down) {
        ctx.flap(up.toNanos(), down.toNanos());
    }

    public final boolean isVanished() {
        return ctx.vanished();
    }

    /** What happens when Scanout breaks a rule of the real driver ({@link ViolationPolicy#THROW} by default). */
    public final void setViolationPolicy(ViolationPolicy policy) {
        ctx.policy(policy);
    }

    // ---- counters ---------------------------------------------------------------------------------

    /** Simulated fds (device and dma-buf) open right now, over every open of this device. */
    public final int liveFds() {
        return ctx.liveFds();
    }

    /** Device files open right now (a dup or a mapping keeps its file open). */
    public final int openFiles() {
        return model.openFiles();
    }

    /** Ioctls made on device fds that reached the VFIO core (injected failures excluded). */
    public final int ioctlCount() {
        return ctx.ioctls();
    }

    /** How many times {@code VFIO_DEVICE_GET_GFX_DMABUF} was called for this id (any outcome). */
    public final int dmabufGets(long id) {
        return ctx.dmabufGets(id);
    }

    /** {@code VFIO_DEVICE_GET_GFX_DMABUF} calls per id. */
    public final Map<Long, Integer> dmabufGets() {
        return ctx.dmabufGets();
    }

    /** Rules of the real driver that Scanout broke, one line each, oldest first. */
    public final List<String> violations() {
        return ctx.violations();
    }

    public final void clearViolations() {
        ctx.clearViolations();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    interface SurfaceAction<T> {
        T apply(Surface s);
    }

    final <T> T withPrimary(SurfaceAction<T> action) {
        synchronized (model.lock()) {
            Surface s = model.primary().orElseThrow(this::noFramebuffer);
            return action.apply(s);
        }
    }

    static SimPlane plane(Surface s) {
        return new SimPlane(s.format(), s.modifier(), s.width(), s.height(), s.stride());
    }

    private IllegalStateException noFramebuffer() {
        return new IllegalStateException(name + " has no primary framebuffer: the guest has not set a mode or has"
                + " disabled the plane");
    }

    @Override
    public String toString() {
        return name;
    }
}
