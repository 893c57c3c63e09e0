package io.github.scanout.api.device;

import io.github.scanout.api.kernel.Vfio;

/**
 * {@code struct vfio_device_info}.
 *
 * @param flags VFIO_DEVICE_FLAGS_*
 * @param numRegions regions with fixed indices (a display region may lie above them)
 * @param numIrqs interrupt indices
 */
public record DeviceInfo(int flags, int numRegions, int numIrqs) {

    /** {@return whether the device supports {@code VFIO_DEVICE_RESET}} */
    public boolean canReset() {
        return (flags & Vfio.DEVICE_FLAGS_RESET) != 0;
    }

    /** {@return whether it is a PCI device} */
    public boolean isPci() {
        return (flags & Vfio.DEVICE_FLAGS_PCI) != 0;
    }
}
