package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.sim.internal.MbochsModel;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The guest side of a simulated mbochs: programs the Bochs DISPI registers exactly as a guest
 * driver (bochs-drm) does, with 16-bit writes to BAR2 at {@code 0x500 + 2 * index}, through the
 * device's own register model (the access path a pwrite of the device fd takes). The device
 * derives the plane from these registers and nothing else.
 *
 * <p>Threads: every method may be called from any thread.
 */
public final class Guest {
    public static final int ID = MbochsModel.VBE_ID;
    public static final int XRES = MbochsModel.VBE_XRES;
    public static final int YRES = MbochsModel.VBE_YRES;
    public static final int BPP = MbochsModel.VBE_BPP;
    public static final int ENABLE = MbochsModel.VBE_ENABLE;
    public static final int BANK = MbochsModel.VBE_BANK;
    public static final int VIRT_WIDTH = MbochsModel.VBE_VIRT_WIDTH;
    public static final int VIRT_HEIGHT = MbochsModel.VBE_VIRT_HEIGHT;
    public static final int X_OFFSET = MbochsModel.VBE_X_OFFSET;
    public static final int Y_OFFSET = MbochsModel.VBE_Y_OFFSET;
    public static final int VIDEO_MEMORY_64K = MbochsModel.VBE_VIDEO_MEMORY_64K;
    /** ENABLE bits. */
    public static final int ENABLED = MbochsModel.VBE_ENABLED;
    public static final int LFB_ENABLED = MbochsModel.VBE_LFB_ENABLED;
    /** Device-fd offset of the first DISPI register. */
    public static final long DISPI_OFFSET = MbochsModel.MMIO_BAR_OFFSET + 0x500;

    private final MbochsModel model;

    Guest(MbochsModel model) {
        this.model = model;
    }

    /** One 16-bit write of a DISPI register. */
    public void write(int index, int value) {
        checkIndex(index);
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("DISPI registers are 16 bits, got " + value + " for register " + index);
        }
        access(DISPI_OFFSET + 2L * index, 2, value, true);
    }

    /** One 16-bit read of a DISPI register. */
    public int read(int index) {
        checkIndex(index);
        return access(DISPI_OFFSET + 2L * index, 2, 0, false);
    }

    /**
     * One 4-byte write at the register's address, which the device ignores when the address is
     * 4-byte aligned (even registers): for tests of the 16-bit-only rule.
     */
    public void write32(int index, int value) {
        checkIndex(index);
        access(DISPI_OFFSET + 2L * index, 4, value, true);
    }

    /** Sets a 32-bpp mode the way bochs-drm does. */
    public void setMode(int width, int height) {
        setMode(width, height, 32);
    }

    /**
     * bochs-drm's sequence: ENABLE 0, BPP, XRES, YRES, BANK 0, VIRT_WIDTH, VIRT_HEIGHT,
     * X_OFFSET 0, Y_OFFSET 0, ENABLE = ENABLED | LFB_ENABLED.
     */
    public void setMode(int width, int height, int bpp) {
        write(ENABLE, 0);
        write(BPP, bpp);
        write(XRES, width);
        write(YRES, height);
        write(BANK, 0);
        write(VIRT_WIDTH, width);
        write(VIRT_HEIGHT, height);
        write(X_OFFSET, 0);
        write(Y_OFFSET, 0);
        write(ENABLE, ENABLED | LFB_ENABLED);
    }

    /** Sets the virtual (scan-out buffer) size: the stride is {@code max(VIRT_WIDTH, XRES) * 4}. */
    public void setVirtualSize(int virtWidth, int virtHeight) {
        write(VIRT_WIDTH, virtWidth);
        write(VIRT_HEIGHT, virtHeight);
    }

    /** Pans: the framebuffer starts at {@code x * 4 + y * stride} in VRAM. */
    public void pan(int x, int y) {
        write(X_OFFSET, x);
        write(Y_OFFSET, y);
    }

    /** ENABLE 0: the plane is disabled. */
    public void disable() {
        write(ENABLE, 0);
    }

    /**
     * Reads the first {@code length} bytes of the EDID block the guest sees in BAR2 (zeros unless
     * the host set the link up), with 4-byte MMIO reads.
     */
    public byte[] readEdid(int length) {
        if (length < 0 || length > 0x400) {
            throw new IllegalArgumentException("the EDID window is 0x400 bytes, asked for " + length);
        }
        byte[] out = new byte[length];
        ByteBuffer buf = ByteBuffer.wrap(out);
        try {
            model.read(MbochsModel.MMIO_BAR_OFFSET, buf);
        } catch (DeviceException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private int access(long pos, int size, int value, boolean write) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        if (size == 2) {
            b.putShort(0, (short) value);
        } else {
            b.putInt(0, value);
        }
        try {
            if (write) {
                model.write(pos, b);
            } else {
                model.read(pos, b);
            }
        } catch (DeviceException e) {
            throw new UncheckedIOException(e);
        }
        return size == 2 ? b.getShort(0) & 0xffff : b.getInt(0);
    }

    private static void checkIndex(int index) {
        if (index < 0 || index >= MbochsModel.VBE_COUNT) {
            throw new IllegalArgumentException("DISPI register index must be 0.." + (MbochsModel.VBE_COUNT - 1)
                    + ", got " + index);
        }
    }
}
