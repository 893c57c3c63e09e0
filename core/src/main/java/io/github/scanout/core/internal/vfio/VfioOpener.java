package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Vfio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens a real mdev by UUID.
 *
 * <p>Legacy path: {@code <sysfs>/bus/mdev/devices/<uuid>/iommu_group} names group N; open
 * {@code <dev>/vfio/vfio} (the container), check the API version, open {@code <dev>/vfio/N},
 * check the group is viable, attach it to the container, choose TYPE1v2 (else TYPE1), then
 * {@code VFIO_GROUP_GET_DEVICE_FD(uuid)}. The group and container fds live as long as the
 * device and are closed with it.
 *
 * <p>cdev path (Linux 6.6+ with CONFIG_VFIO_DEVICE_CDEV), chosen when
 * {@code <sysfs>/bus/mdev/devices/<uuid>/vfio-dev/vfioN}, {@code <dev>/vfio/devices/vfioN} and
 * {@code <dev>/iommu} exist: open {@code /dev/iommu} and the cdev, {@code
 * VFIO_DEVICE_BIND_IOMMUFD}, {@code IOMMU_IOAS_ALLOC}, {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT}. The
 * iommufd lives as long as the device. In {@link Mode#AUTO} a failing cdev open falls back to
 * the legacy path; the system property {@value #MODE_PROPERTY} ({@code auto}, {@code legacy},
 * {@code cdev}) forces one.
 *
 * <p>Every fd opened on the way is closed on every failure path. The errors a user meets get
 * one line naming the path and the likely cause.
 *
 * <p>Threads: stateless apart from its configuration; any thread.
 */
public final class VfioOpener {

    /** System property that forces an open path: {@code auto} (default), {@code legacy} or {@code cdev}. */
    public static final String MODE_PROPERTY = "scanout.vfio.path";

    private static final System.Logger LOG = System.getLogger(VfioOpener.class.getName());

    /** An mdev UUID as sysfs spells it (any case accepted, lower-cased before use). */
    public static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final Pattern CDEV_NAME = Pattern.compile("vfio[0-9]+");

    /** Which open path to take. */
    public enum Mode {
        /** cdev when the device has one, else legacy; legacy also after a failed cdev open. */
        AUTO,
        /** container + group only. */
        LEGACY,
        /** cdev + iommufd only. */
        CDEV;

        /** The mode named by {@value VfioOpener#MODE_PROPERTY}, AUTO when unset. */
        public static Mode fromSystemProperty() {
            String v = System.getProperty(MODE_PROPERTY, "auto").trim().toUpperCase(Locale.ROOT);
            try {
                return Mode.valueOf(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, legacy or cdev, got '"
                        + System.getProperty(MODE_PROPERTY) + "'", e);
            }
        }
    }

    private final Kernel kernel;
    private final Path sysfsRoot;
    private final Path devRoot;
    private final Mode mode;

    /**
     * @param kernel the real kernel (or a mock in tests)
     * @param sysfsRoot normally {@code /sys}
     * @param devRoot normally {@code /dev}
     */
    public VfioOpener(Kernel kernel, Path sysfsRoot, Path devRoot, Mode mode) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.sysfsRoot = Objects.requireNonNull(sysfsRoot, "sysfsRoot");
        this.devRoot = Objects.requireNonNull(devRoot, "devRoot");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The sysfs directory of an mdev: {@code <sysfs>/bus/mdev/devices/<uuid>}. */
    public Path mdevDir(String uuid) {
        return sysfsRoot.resolve("bus/mdev/devices").resolve(uuid);
    }

    /** {@link #open(String, String)} named by its UUID. */
    public VfioGfxDevice open(String uuid) throws DeviceException {
        return open(uuid, uuid);
    }

    /**
     * Opens the mdev with this UUID.
     *
     * @param displayName what {@link VfioGfxDevice#name()} will say (the spec the user gave)
     */
    public VfioGfxDevice open(String uuid, String displayName) throws DeviceException {
        Objects.requireNonNull(uuid, "uuid");
        if (!UUID.matcher(uuid).matches()) {
            throw new DeviceException("'" + uuid + "' is not an mdev UUID (expected 8-4-4-4-12 hex digits)");
        }
        String id = uuid.toLowerCase(Locale.ROOT);
        Path dir = mdevDir(id);
        if (!Files.isDirectory(dir)) {
            throw new DeviceException("no mdev " + id + ": " + dir + " does not exist (create the mdev first, or check the"
                    + " UUID against ls " + sysfsRoot.resolve("bus/mdev/devices") + ")");
        }
        Optional<String> cdev = cdevName(dir);
        switch (mode) {
            case LEGACY:
                return openLegacy(id, dir, displayName);
            case CDEV:
                if (cdev.isEmpty()) {
                    throw new DeviceException("mdev " + id + " has no vfio cdev (" + dir.resolve("vfio-dev")
                            + " is missing or empty): the kernel lacks CONFIG_VFIO_DEVICE_CDEV; use the legacy path");
                }
                return openCdev(id, cdev.get(), displayName);
            default:
                if (cdev.isPresent() && Files.exists(devRoot.resolve("vfio/devices").resolve(cdev.get()))
                        && Files.exists(devRoot.resolve("iommu"))) {
                    try {
                        return openCdev(id, cdev.get(), displayName);
                    } catch (DeviceException cdevFailure) {
                        LOG.log(System.Logger.Level.DEBUG, "cdev open of " + id + " failed, trying the legacy path: "
                                + cdevFailure.getMessage());
                        try {
                            return openLegacy(id, dir, displayName);
                        } catch (DeviceException legacyFailure) {
                            legacyFailure.addSuppressed(cdevFailure);
                            throw legacyFailure;
                        }
                    }
                }
                return openLegacy(id, dir, displayName);
        }
    }

    /** The cdev name under {@code <mdev>/vfio-dev/} ({@code vfio3}), if any. */
    public static Optional<String> cdevName(Path mdevDir) throws DeviceException {
        Path vfioDev = mdevDir.resolve("vfio-dev");
        if (!Files.isDirectory(vfioDev)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(vfioDev)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> CDEV_NAME.matcher(n).matches()).sorted().findFirst();
        } catch (IOException e) {
            throw new DeviceException("cannot list " + vfioDev + ": " + e.getMessage());
        }
    }

    /** The IOMMU group number an mdev's {@code iommu_group} link names. */
    public static int iommuGroup(Path mdevDir, String uuid) throws DeviceException {
        Path link = mdevDir.resolve("iommu_group");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new DeviceException("mdev " + uuid + " has no IOMMU group: " + link + " is missing (is its vendor driver"
                    + " loaded and the mdev bound to vfio_mdev?)");
        }
        String name;
        try {
            name = Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString()
                    : link.toRealPath().getFileName().toString();
        } catch (IOException e) {
            throw new DeviceException("cannot read " + link + ": " + e.getMessage());
        }
        try {
            int group = Integer.parseInt(name);
            if (group < 0) {
                throw new NumberFormatException(name);
            }
            return group;
        } catch (NumberFormatException e) {
            throw new DeviceException(link + " names '" + name + "', not an IOMMU group number");
        }
    }

    private VfioGfxDevice openLegacy(String uuid, Path dir, String displayName) throws DeviceException {
        int group = iommuGroup(dir, uuid);
        Path containerPath = devRoot.resolve("vfio/vfio");
        Path groupPath = devRoot.resolve("vfio").resolve(Integer.toString(group));
        String groupText = "IOMMU group " + group + " (" + groupPath + ")";
        OwnedFds owned = new OwnedFds(kernel);
        int deviceFd;
        try {
            int container = owned.add(openContainer(containerPath), "VFIO container " + containerPath);
            int version;
            try {
                version = kernel.ioctl(container, Vfio.GET_API_VERSION, 0L);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_GET_API_VERSION on " + containerPath, e);
            }
            if (version != Vfio.API_VERSION) {
                throw new DeviceException(containerPath + " speaks VFIO API version " + version + ", Scanout speaks "
                        + Vfio.API_VERSION);
            }
            int groupFd = owned.add(openGroup(groupPath, group, uuid), groupText);

            ByteBuffer status = GroupStatusCodec.query();
            try {
                kernel.ioctl(groupFd, Vfio.GROUP_GET_STATUS, status);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_GROUP_GET_STATUS on " + groupText, e);
            }
            if ((GroupStatusCodec.flags(status) & Vfio.GROUP_FLAGS_VIABLE) == 0) {
                throw new DeviceException(groupText + " is not viable: every device in "
                        + sysfsRoot.resolve("kernel/iommu_groups/" + group + "/devices")
                        + " must be bound to a VFIO driver or to no driver");
            }

            ByteBuffer containerArg = Le.allocate(4);
            containerArg.putInt(0, container);
            try {
                kernel.ioctl(groupFd, Vfio.GROUP_SET_CONTAINER, containerArg);
            } catch (DeviceException e) {
                throw new DeviceException("attaching " + groupText + " to the container " + containerPath
                        + (e.is(Errno.EBUSY) ? " (it is already attached to another container: another process, e.g. QEMU?)" : ""), e);
            }

            int iommuType = chooseIommu(container, containerPath);
            try {
                kernel.ioctl(container, Vfio.SET_IOMMU, iommuType);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_SET_IOMMU(" + (iommuType == Vfio.TYPE1v2_IOMMU ? "TYPE1v2" : "TYPE1")
                        + ") on " + containerPath, e);
            }

            byte[] name = uuid.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer nameArg = Le.allocate(name.length + 1);
            nameArg.put(0, name);
            try {
                deviceFd = kernel.ioctl(groupFd, Vfio.GROUP_GET_DEVICE_FD, nameArg);
            } catch (DeviceException e) {
                String hint = e.is(Errno.EBUSY) ? " (the device is already open: another process, e.g. QEMU?)"
                        : e.is(Errno.ENODEV) || e.is(Errno.EINVAL) ? " (is mdev " + uuid + " in this group and bound to vfio_mdev?)"
                        : "";
                throw new DeviceException("VFIO_GROUP_GET_DEVICE_FD(" + uuid + ") on " + groupText + hint, e);
            }
            try {
                Fds.setCloexec(kernel, deviceFd, "device fd of mdev " + uuid);
            } catch (Throwable t) {
                Fds.closeQuietly(kernel, deviceFd, "device fd of mdev " + uuid, t);
                throw t;
            }
        } catch (Throwable t) {
            owned.closeAll(t);
            throw t;
        }
        return VfioGfxDevice.open(kernel, deviceFd, displayName, owned);
    }

    private int chooseIommu(int container, Path containerPath) throws DeviceException {
        try {
            if (kernel.ioctl(container, Vfio.CHECK_EXTENSION, Vfio.TYPE1v2_IOMMU) > 0) {
                return Vfio.TYPE1v2_IOMMU;
            }
            if (kernel.ioctl(container, Vfio.CHECK_EXTENSION, Vfio.TYPE1_IOMMU) > 0) {
                return Vfio.TYPE1_IOMMU;
            }
        } catch (DeviceException e) {
            throw new DeviceException("VFIO_CHECK_EXTENSION on " + containerPath, e);
        }
        throw new DeviceException(containerPath + " offers neither the TYPE1v2 nor the TYPE1 IOMMU (is vfio_iommu_type1 loaded?)");
    }

    private int openContainer(Path path) throws DeviceException {
        try {
            return kernel.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC);
        } catch (DeviceException e) {
            if (e.is(Errno.ENOENT)) {
                throw new DeviceException("VFIO is not loaded: " + path + " does not exist (modprobe vfio vfio_iommu_type1"
                        + " vfio_mdev)", e);
            }
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw new DeviceException("permission denied on " + path, e);
            }
            throw new DeviceException("opening the VFIO container " + path, e);
        }
    }

    private int openGroup(Path path, int group, String uuid) throws DeviceException {
        try {
            return kernel.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC);
        } catch (DeviceException e) {
            if (e.is(Errno.ENOENT)) {
                throw new DeviceException(path + " does not exist: IOMMU group " + group + " of mdev " + uuid
                        + " is not bound to VFIO (is vfio_mdev loaded?)", e);
            }
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw new DeviceException("permission denied on " + path + " (IOMMU group " + group + " of mdev " + uuid
                        + "): add a udev rule such as SUBSYSTEM==\"vfio\", KERNEL==\"" + group
                        + "\", OWNER=\"<user>\", or add the user to the group owning " + path, e);
            }
            if (e.is(Errno.EBUSY)) {
                throw new DeviceException("IOMMU group " + group + " (" + path + ") is busy: another process, e.g. QEMU,"
                        + " holds it", e);
            }
            throw new DeviceException("opening IOMMU group " + group + " (" + path + ") of mdev " + uuid, e);
        }
    }

    private VfioGfxDevice openCdev(String uuid, String cdev, String displayName) throws DeviceException {
        Path iommuPath = devRoot.resolve("iommu");
        Path cdevPath = devRoot.resolve("vfio/devices").resolve(cdev);
        OwnedFds owned = new OwnedFds(kernel);
        int deviceFd;
        try {
            int iommufd = owned.add(openNode(iommuPath, "the iommufd", uuid), "iommufd " + iommuPath);
            deviceFd = openNode(cdevPath, "the vfio cdev of mdev " + uuid, uuid);
            try {
                ByteBuffer bind = IommufdStructs.bind(iommufd);
                try {
                    kernel.ioctl(deviceFd, Vfio.DEVICE_BIND_IOMMUFD, bind);
                } catch (DeviceException e) {
                    throw new DeviceException("VFIO_DEVICE_BIND_IOMMUFD of " + cdevPath + " to " + iommuPath
                            + (e.is(Errno.EBUSY) ? " (the device is in use: another process, e.g. QEMU, holds it)" : ""), e);
                }
                ByteBuffer alloc = IommufdStructs.ioasAlloc();
                try {
                    kernel.ioctl(iommufd, Vfio.IOMMU_IOAS_ALLOC, alloc);
                } catch (DeviceException e) {
                    throw new DeviceException("IOMMU_IOAS_ALLOC on " + iommuPath, e);
                }
                ByteBuffer attach = IommufdStructs.attach(IommufdStructs.ioasId(alloc));
                try {
                    kernel.ioctl(deviceFd, Vfio.DEVICE_ATTACH_IOMMUFD_PT, attach);
                } catch (DeviceException e) {
                    throw new DeviceException("VFIO_DEVICE_ATTACH_IOMMUFD_PT of " + cdevPath + " to IOAS "
                            + IommufdStructs.ioasId(alloc), e);
                }
            } catch (Throwable t) {
                Fds.closeQuietly(kernel, deviceFd, cdevPath.toString(), t);
                throw t;
            }
        } catch (Throwable t) {
            owned.closeAll(t);
            throw t;
        }
        return VfioGfxDevice.open(kernel, deviceFd, displayName, owned);
    }

    private int openNode(Path path, String what, String uuid) throws DeviceException {
        try {
            return kernel.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC);
        } catch (DeviceException e) {
            if (e.is(Errno.ENOENT)) {
                throw new DeviceException(path + " does not exist: " + what + " is missing", e);
            }
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw new DeviceException("permission denied on " + path + " (" + what + "): add a udev rule giving your user"
                        + " access to it", e);
            }
            if (e.is(Errno.EBUSY)) {
                throw new DeviceException(path + " is busy: another process, e.g. QEMU, holds mdev " + uuid, e);
            }
            throw new DeviceException("opening " + path + " (" + what + ")", e);
        }
    }
}
