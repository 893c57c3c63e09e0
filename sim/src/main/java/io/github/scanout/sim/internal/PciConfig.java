package io.github.scanout.sim.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 255-byte ({@code 0xff}) PCI config space of the mdev samples with their BAR sizing
 * write handler: writing 0xffffffff to a BAR reads back its size mask, other values are stored
 * with the low flag bits kept.
 */
final class PciConfig {
    static final int SIZE = 0xff;
    static final int COMMAND = 0x04;
    static final int STATUS = 0x06;
    static final int REVISION = 0x08;
    static final int CLASS_DEVICE = 0x0a;
    static final int BAR0 = 0x10;
    static final int BAR2 = 0x18;
    static final int SUBSYSTEM_VENDOR = 0x2c;
    static final int SUBSYSTEM_ID = 0x2e;
    static final int CAPABILITY_LIST = 0x34;

    /** PCI_SUBVENDOR_ID_REDHAT_QUMRANET, PCI_SUBDEVICE_ID_QEMU, PCI_CLASS_DISPLAY_OTHER. */
    static final int SUBVENDOR_QUMRANET = 0x1af4;
    static final int SUBDEVICE_QEMU = 0x1100;
    static final int CLASS_DISPLAY_OTHER = 0x0380;

    private final byte[] bytes = new byte[SIZE];
    private final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] barMask = new int[6];

    void put16(int off, int v) {
        le.putShort(off, (short) v);
    }

    void put32(int off, int v) {
        le.putInt(off, v);
    }

    void put8(int off, int v) {
        bytes[off] = (byte) v;
    }

    void barMask(int bar, long size) {
        barMask[bar] = (int) (~size + 1);
    }

    /** {@code memcpy(buf, vconfig + pos, count)}; bytes past the 0xff-byte array read as garbage. */
    void read(int pos, byte[] buf, int count) {
        for (int i = 0; i < count; i++) {
            buf[i] = pos + i < SIZE ? bytes[pos + i] : KStruct.GARBAGE;
        }
    }

    /** {@code handle_pci_cfg_write}: only the BARs listed react; everything else is ignored. */
    void write(int offset, byte[] buf, int count, int... bars) {
        for (int bar : bars) {
            int reg = BAR0 + 4 * bar;
            if (offset != reg) {
                continue;
            }
            // the driver reads a u32 from the access buffer whatever the access size
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 4; i++) {
                b.put(i, i < count ? buf[i] : KStruct.GARBAGE);
            }
            int cfgAddr = b.getInt(0);
            if (cfgAddr == 0xffffffff) {
                cfgAddr &= barMask[bar];
            } else {
                cfgAddr &= ~0x0f;
            }
            cfgAddr |= bytes[reg] & 0x0f;
            le.putInt(reg, cfgAddr);
        }
    }
}
