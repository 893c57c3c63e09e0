package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.sim.internal.DeviceContext;
import io.github.scanout.sim.internal.GvtModel;
import io.github.scanout.sim.internal.Surface;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A simulated Intel GVT-g vGPU with a guest driving its primary plane (any known format,
 * linear or really X/Y-tiled memory, double buffered with {@link #flip()}) and an ARGB8888
 * cursor (64x64 by default, with a hotspot and a signed position). Dma-bufs only; ids are
 * reused once a buffer object is freed, so the same id can name a different buffer; every
 * GET_GFX_DMABUF exports a new dma-buf; dma-bufs refuse mmap with ENODEV unless
 * {@linkplain #allowDmaBufMmap(boolean) allowed}. See {@link GvtModel} for the details.
 *
 * <p>A new device shows 1024x768 XRGB8888 linear with test-pattern frame 0 and the cursor at
 * (0, 0) with hotspot (0, 0). Every mode, format or tiling change allocates a new, black
 * framebuffer (a new buffer object for the driver).
 *
 * <p>Threads: see {@link SimDevice}.
 */
public final class GvtDevice extends SimDevice {
    private final GvtModel gvt;

    private GvtDevice(String name, GvtModel model) {
        super(name, model.context(), model);
        this.gvt = model;
    }

    /** A new device named {@code sim:gvt}. */
    public static GvtDevice create() {
        return create("sim:gvt");
    }

    static GvtDevice create(String name) {
        GvtDevice d = new GvtDevice(name, new GvtModel(new DeviceContext(name)));
        d.drawTestPattern(0);
        return d;
    }

    /** A new framebuffer of this size, keeping format and tiling; enables the plane. */
    public void setMode(int width, int height) {
        SimPlane p = current();
        setPrimary(p.format(), p.modifier(), width, height);
    }

    /** A new framebuffer in this format, keeping size and tiling; enables the plane. */
    public void setFormat(DrmFormat format) {
        SimPlane p = current();
        setPrimary(format, p.modifier(), p.width(), p.height());
    }

    /** A new framebuffer with this layout (LINEAR, I915_X_TILED or I915_Y_TILED); enables the plane. */
    public void setTiling(Modifier modifier) {
        SimPlane p = current();
        setPrimary(p.format(), modifier, p.width(), p.height());
    }

    /**
     * A new (black) primary framebuffer; the plane is enabled.
     *
     * @throws IllegalArgumentException for an unknown format, a modifier the simulation cannot
     *     lay out (Yf), or a size outside 1..8192
     */
    public void setPrimary(DrmFormat format, Modifier modifier, int width, int height) {
        try {
            gvt.setPrimary(format, modifier, width, height);
        } catch (DeviceException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The guest disables the primary plane (queries answer it as disabled). */
    @Override
    public void disablePlane() {
        gvt.primaryEnabled(false);
    }

    /** The guest enables the primary plane again with its last framebuffer. */
    public void enablePlane() {
        gvt.primaryEnabled(true);
    }

    /**
     * Page flip: draws the next test-pattern frame into the back buffer (allocated on first use)
     * and makes it the front buffer. The two buffers are different buffer objects.
     *
     * @return the frame number drawn
     */
    public long flip() {
        try {
            return gvt.flip();
        } catch (DeviceException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shows or hides the cursor plane. */
    public void showCursor(boolean visible) {
        gvt.cursorVisible(visible);
    }

    /** Moves the cursor's top-left corner; negative values put it off the top or left edge. */
    public void moveCursor(int x, int y) {
        gvt.moveCursor(x, y);
    }

    /**
     * The hotspot as the guest sets it. The driver reports it only when
     * {@code x <= size && y <= size} (unsigned), else 0xFFFFFFFF for both.
     */
    public void setCursorHotspot(int x, int y) {
        gvt.cursorHotspot(Integer.toUnsignedLong(x), Integer.toUnsignedLong(y));
    }

    /** No hotspot: the driver reports 0xFFFFFFFF (what GVT-g reports for a guest that never sets one). */
    public void clearCursorHotspot() {
        gvt.cursorHotspot(0xffffffffL, 0xffffffffL);
    }

    /** 64, 128 or 256: a new cursor image (an arrow) of that size. */
    public void setCursorSize(int size) {
        try {
            gvt.cursorSize(size);
        } catch (DeviceException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reports cursor positions the way the real driver does, dropping the sign bit of the
     * CURPOS register (a cursor at x = -10 is reported at x = 10), instead of as
     * two's-complement u32 values (the default).
     */
    public void setCursorSignDropped(boolean dropped) {
        gvt.cursorSignDropped(dropped);
    }

    /** The cursor plane, or empty when hidden. */
    public Optional<SimPlane> cursorPlane() {
        synchronized (model().lock()) {
            return gvt.cursor().map(SimDevice::plane);
        }
    }

    /** The cursor image as 0xAARRGGBB, row by row. */
    public int[] cursorPixels() {
        synchronized (model().lock()) {
            return gvt.cursor().map(Surface::readAll)
                    .orElseThrow(() -> new IllegalStateException(name() + ": the cursor is hidden"));
        }
    }

    /** Lets user space map this device's dma-bufs (for CPU-path tests); the real driver refuses with ENODEV. */
    public void allowDmaBufMmap(boolean allowed) {
        gvt.dmabufMmapAllowed(allowed);
    }

    /** Buffer objects alive in the driver. */
    public int bufferObjects() {
        return gvt.objects();
    }

    private SimPlane current() {
        synchronized (model().lock()) {
            return plane(gvt.frontBuffer());
        }
    }
}
