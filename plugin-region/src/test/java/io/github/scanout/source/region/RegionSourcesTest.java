package io.github.scanout.source.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.source.PlaneSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The exported entry point: what an embedding sees, and what the bundle exports. */
class RegionSourcesTest {

    @Test
    void createGivesTheRegionSourceWithItsPriority() {
        PlaneSource s = RegionSources.create();
        assertThat(s.bufferType()).isEqualTo(BufferType.REGION);
        assertThat(s.priority()).isEqualTo(RegionSources.PRIORITY).isEqualTo(100);
        List<String> lines = new ArrayList<>();
        PlaneSource reporting = RegionSources.create((level, message) -> lines.add(message));
        assertThat(reporting.bufferType()).isEqualTo(BufferType.REGION);
        assertThat(reporting).isNotSameAs(s);
    }

    @Test
    void serviceLoaderFindsTheSource() {
        assertThat(ServiceLoader.load(PlaneSource.class).stream().map(p -> p.get().bufferType()))
                .contains(BufferType.REGION);
    }

    @Test
    void theBundleExportsOnlyTheEntryPointPackage() throws Exception {
        Manifest m;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            m = new Manifest(in);
        }
        assertThat(m.getMainAttributes().getValue("Export-Package").replaceAll(";uses:=\"[^\"]*\"", ""))
                .isEqualTo("io.github.scanout.source.region;version=\"0.1.0\"");
    }
}
