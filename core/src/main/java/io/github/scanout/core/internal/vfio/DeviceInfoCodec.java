package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;

/**
 * {@code struct vfio_device_info}: argsz 0, flags 4, num_regions 8, num_irqs 12, then (6.x
 * headers) cap_offset 16 and pad 20. Scanout asks with the 24-byte layout, which older
 * drivers accept (they check {@code argsz >= 16}), and decodes 20- or 24-byte answers.
 */
public final class DeviceInfoCodec {
    private DeviceInfoCodec() {}

    public static final int ARGSZ = 0;
    public static final int FLAGS = 4;
    public static final int NUM_REGIONS = 8;
    public static final int NUM_IRQS = 12;
    public static final int CAP_OFFSET = 16;
    /** Bytes up to and including num_irqs: the minimum every driver fills in. */
    public static final int MIN_SIZE = 16;

    /** A zeroed query with argsz set to {@code size} (20 or 24). */
    public static ByteBuffer query(int size) {
        if (size != Vfio.DEVICE_INFO_SIZE && size != Vfio.DEVICE_INFO_SIZE_V1) {
            throw new IllegalArgumentException("vfio_device_info is 20 or 24 bytes, not " + size);
        }
        ByteBuffer b = Le.allocate(size);
        Le.putU32(b, ARGSZ, size);
        return b;
    }

    /** A 24-byte query. */
    public static ByteBuffer query() {
        return query(Vfio.DEVICE_INFO_SIZE);
    }

    /**
     * Decodes an answer.
     *
     * @throws DeviceException when a count does not fit in an int (a hostile device)
     */
    public static DeviceInfo decode(ByteBuffer b) throws DeviceException {
        if (b.capacity() < MIN_SIZE) {
            throw new IllegalArgumentException("vfio_device_info needs " + MIN_SIZE + " bytes, got " + b.capacity());
        }
        ByteBuffer l = Le.le(b);
        long regions = Le.u32(l, NUM_REGIONS);
        long irqs = Le.u32(l, NUM_IRQS);
        if (regions > Integer.MAX_VALUE || irqs > Integer.MAX_VALUE) {
            throw new DeviceException("VFIO_DEVICE_GET_INFO answered num_regions " + regions + ", num_irqs " + irqs
                    + ": out of range");
        }
        return new DeviceInfo((int) Le.u32(l, FLAGS), (int) regions, (int) irqs);
    }

    /** Encodes an answer (for fakes and tests): argsz as given, cap_offset 0. */
    public static ByteBuffer encode(int size, DeviceInfo info) {
        ByteBuffer b = query(size);
        Le.putU32(b, FLAGS, Integer.toUnsignedLong(info.flags()));
        Le.putU32(b, NUM_REGIONS, info.numRegions());
        Le.putU32(b, NUM_IRQS, info.numIrqs());
        return b;
    }
}
