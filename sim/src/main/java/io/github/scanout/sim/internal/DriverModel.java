package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A model of one kernel driver instance (one mdev): its ioctl, read, write and mmap handlers
 * and its open/close hooks, decoding and encoding the same bytes as the C driver.
 *
 * <p>Threads: like the drivers' {@code ops_lock}, {@link #lock()} serialises every state change
 * and every access to device memory, whether it comes from a system call or from the scripting
 * API (the simulated guest).
 */
public abstract class DriverModel {
    protected final DeviceContext ctx;
    protected final Object lock = new Object();
    private int openFiles;
    private long frame;
    private long lastFrameNanos;
    private boolean drewOnce;

    protected DriverModel(DeviceContext ctx) {
        this.ctx = ctx;
    }

    public final DeviceContext context() {
        return ctx;
    }

    public final Object lock() {
        return lock;
    }

    /**
     * A device file was opened: on the first, device memory moves into memfds of {@code host}
     * and {@code open_device} runs.
     */
    public final void fileOpened(Kernel host) throws DeviceException {
        synchronized (lock) {
            if (openFiles == 0) {
                bind(host);
                openDevice();
            }
            openFiles++;
        }
    }

    /**
     * A device file was released: on the last, {@code close_device} runs and the model parks its
     * memory (no memfds are held by a closed device).
     */
    public final void fileReleased() {
        synchronized (lock) {
            if (--openFiles == 0) {
                closeDevice();
            }
        }
    }

    public final int openFiles() {
        synchronized (lock) {
            return openFiles;
        }
    }

    protected void openDevice() throws DeviceException {}

    protected void closeDevice() {}

    /** Moves device memory into memfds of the host (first open). Called under the lock. */
    protected abstract void bind(Kernel host) throws DeviceException;

    /** The driver's ioctl handler; the VFIO core's own ioctls are handled before. */
    public abstract int ioctl(SimKernel k, int cmd, UserArg arg) throws DeviceException;

    public abstract int read(long pos, ByteBuffer dst) throws DeviceException;

    public abstract int write(long pos, ByteBuffer src) throws DeviceException;

    /**
     * The driver's mmap handler.
     *
     * @param vmShared whether the VMA is VM_SHARED (MAP_SHARED of a file open for writing)
     */
    public abstract Mapping mmap(SimKernel k, SimFile file, long length, int prot, int flags, boolean vmShared,
            long offset) throws DeviceException;

    /** The guest's current primary framebuffer, if it has one. Call under {@link #lock()}. */
    public abstract Optional<Surface> primary();

    /** Draws test pattern frame {@code n} on the primary plane; false when there is none. */
    public final boolean drawFrame(long n) {
        synchronized (lock) {
            Optional<Surface> s = primary();
            if (s.isEmpty()) {
                return false;
            }
            TestPattern.draw(s.get(), n);
            frame = n;
            drewOnce = true;
            return true;
        }
    }

    /** Draws the frame after the last one drawn (0 first); -1 when there is no primary plane. */
    public final long drawNextFrame() {
        synchronized (lock) {
            long n = drewOnce ? frame + 1 : 0;
            return drawFrame(n) ? n : -1;
        }
    }

    /** Hook for models that animate more than the primary plane (GVT moves its cursor). */
    protected void animated(long n) {}

    public final long frame() {
        synchronized (lock) {
            return frame;
        }
    }

    /**
     * The {@code animate} option: on a primary-plane query, draws the next frame when at least
     * 1/60 s passed since the last one. Call under {@link #lock()}.
     */
    protected final void animateTick() {
        if (!ctx.animate()) {
            return;
        }
        long now = ctx.nanoTime();
        if (drewOnce && now - lastFrameNanos < 1_000_000_000L / 60) {
            return;
        }
        if (drawFrame(drewOnce ? frame + 1 : frame)) {
            lastFrameNanos = now;
            animated(frame);
        }
    }
}
