package io.github.scanout.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One mediated device of the host, as sysfs describes it.
 *
 * @param uuid the mdev UUID (the name of its directory under {@code /sys/bus/mdev/devices})
 * @param type the mdev type (the name its {@code mdev_type} link points to, for example
 *     {@code mdpy-xga} or {@code i915-GVTg_V5_4}), or empty text when sysfs has no link
 * @param parent the parent device (for example a PCI address such as {@code 0000:00:02.0}, or
 *     {@code mdpy}), or empty text when unknown
 * @param iommuGroup the IOMMU group ({@code /dev/vfio/N}), if the device has one
 * @param cdev the vfio cdev name ({@code vfio3}, for {@code /dev/vfio/devices/vfio3}), if the
 *     kernel offers one
 */
public record MdevInfo(String uuid, String type, String parent, OptionalInt iommuGroup, Optional<String> cdev) {

    public MdevInfo {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(iommuGroup, "iommuGroup");
        Objects.requireNonNull(cdev, "cdev");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(uuid).append(" type ").append(type.isEmpty() ? "?" : type)
                .append(" parent ").append(parent.isEmpty() ? "?" : parent);
        iommuGroup.ifPresent(g -> b.append(" group ").append(g));
        cdev.ifPresent(c -> b.append(" cdev ").append(c));
        return b.toString();
    }
}
