package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;

/**
 * What the VFIO core ({@code drivers/vfio/vfio_main.c}, Linux 6.1) answers before a driver
 * sees an ioctl, and ABI numbers the api module does not carry.
 */
public final class VfioCore {
    private VfioCore() {}

    public static final int GET_IRQ_INFO = 0x3B6D;
    public static final int SET_IRQS = 0x3B6E;
    public static final int DEVICE_FEATURE = 0x3B75;

    /** vfio-pci fixed region indices: BAR0..BAR5, ROM, CONFIG, VGA. */
    public static final int PCI_NUM_REGIONS = 9;
    public static final int PCI_CONFIG_REGION_INDEX = 7;
    public static final int PCI_NUM_IRQS = 5;

    public static final int IRQ_INFO_EVENTFD = 1;
    public static final int IRQ_INFO_MASKABLE = 2;
    public static final int IRQ_INFO_AUTOMASKED = 4;
    public static final int IRQ_INFO_NORESIZE = 8;

    public static final int FEATURE_MASK = 0xffff;
    public static final int FEATURE_GET = 1 << 16;
    public static final int FEATURE_SET = 1 << 17;
    public static final int FEATURE_PROBE = 1 << 18;

    /**
     * {@code vfio_ioctl_device_feature} for a device without migration or dirty-tracking ops
     * and without its own {@code device_feature} (all three simulated drivers): the core's
     * argsz and flag checks, ENOTTY for the features the core owns (MIGRATION 1,
     * MIG_DEVICE_STATE 2, DMA_LOGGING_START/STOP/REPORT 6-8), EINVAL for any other.
     */
    public static int deviceFeature(String device, UserArg arg) throws DeviceException {
        KStruct f = arg.copyFrom(8, 8);
        String call = "VFIO_DEVICE_FEATURE";
        if (KStruct.below(f.u32(0), 8)) {
            throw Errors.errno(device, call + " with argsz " + Integer.toUnsignedString(f.u32(0)) + " < 8", Errno.EINVAL);
        }
        int flags = f.u32(4);
        if ((flags & ~(FEATURE_MASK | FEATURE_SET | FEATURE_GET | FEATURE_PROBE)) != 0) {
            throw Errors.errno(device, call + " with unknown flags 0x" + Integer.toHexString(flags), Errno.EINVAL);
        }
        if ((flags & FEATURE_PROBE) == 0 && (flags & FEATURE_SET) != 0 && (flags & FEATURE_GET) != 0) {
            throw Errors.errno(device, call + " with both GET and SET", Errno.EINVAL);
        }
        int feature = flags & FEATURE_MASK;
        if (feature == 1 || feature == 2 || (feature >= 6 && feature <= 8)) {
            throw Errors.errno(device, call + " feature " + feature + " (no migration or DMA logging support)",
                    Errno.ENOTTY);
        }
        throw Errors.errno(device, call + " feature " + feature + " (the driver has no device_feature op)", Errno.EINVAL);
    }
}
