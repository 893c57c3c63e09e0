package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;

/**
 * The EDID region of a device ({@code struct vfio_region_gfx_edid} at its start, the blob at
 * {@code edid_offset}). Registers are read and written 4 bytes at a time; the blob in one
 * access. Every access goes through the device, so it is serialised with its other calls.
 */
final class VfioEdidRegion implements EdidRegion {

    private final VfioGfxDevice device;
    private final RegionInfo region;

    VfioEdidRegion(VfioGfxDevice device, RegionInfo region) {
        this.device = device;
        this.region = region;
    }

    @Override
    public RegionInfo region() {
        return region;
    }

    private long register(int offset) throws DeviceException {
        ByteBuffer b = Le.allocate(4);
        device.readRegion(region.index(), offset, b);
        return Le.u32(b, 0);
    }

    private void setRegister(int offset, long value) throws DeviceException {
        ByteBuffer b = Le.allocate(4);
        Le.putU32(b, 0, value);
        device.writeRegion(region.index(), offset, b);
    }

    private int intRegister(int offset, String field) throws DeviceException {
        long v = register(offset);
        if (v > Integer.MAX_VALUE) {
            throw new DeviceException("EDID region of " + device.name() + ": " + field + " = " + v + " is out of range");
        }
        return (int) v;
    }

    @Override
    public int maxSize() throws DeviceException {
        return intRegister(GfxEdidLayout.EDID_MAX_SIZE, "edid_max_size");
    }

    @Override
    public int maxXres() throws DeviceException {
        return intRegister(GfxEdidLayout.MAX_XRES, "max_xres");
    }

    @Override
    public int maxYres() throws DeviceException {
        return intRegister(GfxEdidLayout.MAX_YRES, "max_yres");
    }

    @Override
    public boolean linkUp() throws DeviceException {
        return register(GfxEdidLayout.LINK_STATE) == Vfio.EDID_LINK_UP;
    }

    @Override
    public void setLinkUp(boolean up) throws DeviceException {
        setRegister(GfxEdidLayout.LINK_STATE, up ? Vfio.EDID_LINK_UP : Vfio.EDID_LINK_DOWN);
    }

    @Override
    public byte[] read() throws DeviceException {
        int offset = intRegister(GfxEdidLayout.EDID_OFFSET, "edid_offset");
        int size = intRegister(GfxEdidLayout.EDID_SIZE, "edid_size");
        int max = maxSize();
        if (size > max) {
            throw new DeviceException("EDID region of " + device.name() + ": edid_size " + size + " exceeds edid_max_size " + max);
        }
        byte[] blob = new byte[size];
        if (size > 0) {
            device.readRegion(region.index(), offset, ByteBuffer.wrap(blob));
        }
        return blob;
    }

    @Override
    public void write(byte[] blob) throws DeviceException {
        int max = maxSize();
        if (blob.length > max) {
            throw new DeviceException("EDID blob of " + blob.length + " bytes exceeds edid_max_size " + max + " of "
                    + device.name());
        }
        int offset = intRegister(GfxEdidLayout.EDID_OFFSET, "edid_offset");
        if (blob.length > 0) {
            device.writeRegion(region.index(), offset, ByteBuffer.wrap(blob));
        }
        setRegister(GfxEdidLayout.EDID_SIZE, blob.length);
    }

    @Override
    public String toString() {
        return "EDID " + region + " of " + device.name();
    }
}
