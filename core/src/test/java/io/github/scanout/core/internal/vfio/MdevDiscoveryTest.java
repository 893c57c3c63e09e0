package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.MdevInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MdevDiscoveryTest {

    @TempDir
    Path sys;

    Path mdev(String parentPath, String uuid, String type, Integer group, String cdev) throws Exception {
        Path parent = Files.createDirectories(sys.resolve("devices").resolve(parentPath));
        Path dir = Files.createDirectories(parent.resolve(uuid));
        if (type != null) {
            Files.createSymbolicLink(dir.resolve("mdev_type"), Path.of("../mdev_supported_types/" + type));
        }
        if (group != null) {
            Files.createSymbolicLink(dir.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
        }
        if (cdev != null) {
            Files.createDirectories(dir.resolve("vfio-dev").resolve(cdev));
        }
        Path bus = Files.createDirectories(sys.resolve("bus/mdev/devices"));
        Files.createSymbolicLink(bus.resolve(uuid), bus.relativize(dir));
        return dir;
    }

    @Test
    void listsEveryMdevSortedWithTypeParentGroupAndCdev() throws Exception {
        mdev("pci0000:00/0000:00:02.0", "b0000000-0000-0000-0000-000000000002", "i915-GVTg_V5_4", 12, "vfio0");
        mdev("virtual/mdpy/mdpy", "a0000000-0000-0000-0000-000000000001", "mdpy-xga", 7, null);
        mdev("virtual/mbochs/mbochs", "c0000000-0000-0000-0000-000000000003", null, null, null);
        Files.createDirectories(sys.resolve("bus/mdev/devices/not-a-uuid"));

        List<MdevInfo> list = new MdevDiscovery(sys).list();
        assertThat(list).containsExactly(
                new MdevInfo("a0000000-0000-0000-0000-000000000001", "mdpy-xga", "mdpy", OptionalInt.of(7), Optional.empty()),
                new MdevInfo("b0000000-0000-0000-0000-000000000002", "i915-GVTg_V5_4", "0000:00:02.0", OptionalInt.of(12),
                        Optional.of("vfio0")),
                new MdevInfo("c0000000-0000-0000-0000-000000000003", "", "mbochs", OptionalInt.empty(), Optional.empty()));
    }

    @Test
    void noMdevBusIsAnEmptyList() throws Exception {
        assertThat(new MdevDiscovery(sys).list()).isEmpty();
    }
}
