package io.github.scanout.e2e;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Plays the mbochs guest: programs the Bochs DISPI registers through the device's BAR2 region
 * with 16-bit writes (mbochs ignores wider ones), as the bochs-drm driver in a VM does.
 */
final class Dispi {
    static final int BAR2 = 2;
    static final int DISPI = 0x500;
    static final int ID = 0, XRES = 1, YRES = 2, BPP = 3, ENABLE = 4, BANK = 5, VIRT_WIDTH = 6, VIRT_HEIGHT = 7,
            X_OFFSET = 8, Y_OFFSET = 9;
    static final int ENABLED = 0x01, LFB = 0x40;

    private final GfxDevice device;

    Dispi(GfxDevice device) {
        this.device = device;
    }

    void write(int index, int value) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) value);
        device.writeRegion(BAR2, DISPI + 2L * index, b);
    }

    int read(int index) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        device.readRegion(BAR2, DISPI + 2L * index, b);
        return b.getShort(0) & 0xffff;
    }

    /** The bochs-drm mode-set sequence, 32 bpp, no panning. */
    void setMode(int width, int height) throws DeviceException {
        setMode(width, height, 32, 0, 0);
    }

    void setMode(int width, int height, int bpp, int xOffset, int yOffset) throws DeviceException {
        write(ENABLE, 0);
        write(BPP, bpp);
        write(XRES, width);
        write(YRES, height);
        write(BANK, 0);
        write(VIRT_WIDTH, width);
        write(VIRT_HEIGHT, height);
        write(X_OFFSET, xOffset);
        write(Y_OFFSET, yOffset);
        write(ENABLE, ENABLED | LFB);
    }

    void disable() throws DeviceException {
        write(ENABLE, 0);
    }
}
