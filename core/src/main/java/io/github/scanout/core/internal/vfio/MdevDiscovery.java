package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.MdevInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Lists the mdevs under {@code <sysfs>/bus/mdev/devices}. Each entry there is a link to the
 * device directory below its parent ({@code .../0000:00:02.0/<uuid>}); it holds an
 * {@code mdev_type} link, an {@code iommu_group} link once bound to VFIO, and a
 * {@code vfio-dev/vfioN} directory on kernels with the vfio cdev.
 *
 * <p>Threads: stateless; any thread.
 */
public final class MdevDiscovery {

    private final Path sysfsRoot;

    /** @param sysfsRoot normally {@code /sys} */
    public MdevDiscovery(Path sysfsRoot) {
        this.sysfsRoot = Objects.requireNonNull(sysfsRoot, "sysfsRoot");
    }

    /**
     * The mdevs, sorted by UUID; empty when the host has no mdev bus.
     *
     * @throws DeviceException when sysfs cannot be read
     */
    public List<MdevInfo> list() throws DeviceException {
        Path devices = sysfsRoot.resolve("bus/mdev/devices");
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        List<MdevInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(devices)) {
            for (Path dir : (Iterable<Path>) s::iterator) {
                String uuid = dir.getFileName().toString().toLowerCase(Locale.ROOT);
                if (!VfioOpener.UUID.matcher(uuid).matches()) {
                    continue;
                }
                out.add(describe(dir, uuid));
            }
        } catch (IOException e) {
            throw new DeviceException("cannot list " + devices + ": " + e.getMessage());
        }
        out.sort(Comparator.comparing(MdevInfo::uuid));
        return List.copyOf(out);
    }

    private static MdevInfo describe(Path dir, String uuid) throws DeviceException {
        String type = linkName(dir.resolve("mdev_type")).orElse("");
        String parent = parentOf(dir, type);
        OptionalInt group = OptionalInt.empty();
        if (Files.exists(dir.resolve("iommu_group"), LinkOption.NOFOLLOW_LINKS)) {
            try {
                group = OptionalInt.of(VfioOpener.iommuGroup(dir, uuid));
            } catch (DeviceException e) {
                group = OptionalInt.empty();
            }
        }
        Optional<String> cdev = VfioOpener.cdevName(dir);
        return new MdevInfo(uuid, type, parent, group, cdev);
    }

    /** The parent: the directory the device link points into, else the one the type link names. */
    private static String parentOf(Path dir, String type) {
        try {
            if (Files.isSymbolicLink(dir)) {
                Path target = Files.readSymbolicLink(dir);
                Path parent = target.getParent();
                if (parent != null && parent.getFileName() != null) {
                    return parent.getFileName().toString();
                }
            }
            Path typeLink = dir.resolve("mdev_type");
            if (!type.isEmpty() && Files.isSymbolicLink(typeLink)) {
                // .../<parent>/mdev_supported_types/<type>
                Path t = Files.readSymbolicLink(typeLink);
                Path supported = t.getParent();
                if (supported != null && supported.getParent() != null && supported.getParent().getFileName() != null) {
                    return supported.getParent().getFileName().toString();
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private static Optional<String> linkName(Path link) {
        try {
            if (Files.isSymbolicLink(link)) {
                Path target = Files.readSymbolicLink(link);
                return Optional.ofNullable(target.getFileName()).map(Path::toString);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
