package io.github.scanout.source.dmabuf;

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
class DmaBufSourcesTest {

    @Test
    void createGivesTheDmaBufSourceWithItsPriority() {
        PlaneSource s = DmaBufSources.create();
        assertThat(s.bufferType()).isEqualTo(BufferType.DMABUF);
        assertThat(s.priority()).isEqualTo(DmaBufSources.PRIORITY).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        PlaneSource reporting = DmaBufSources.create((level, message) -> lines.add(message));
        assertThat(reporting.bufferType()).isEqualTo(BufferType.DMABUF);
        assertThat(reporting).isNotSameAs(s);
    }

    @Test
    void serviceLoaderFindsTheSource() {
        assertThat(ServiceLoader.load(PlaneSource.class).stream().map(p -> p.get().bufferType()))
                .contains(BufferType.DMABUF);
    }

    @Test
    void theBundleExportsOnlyTheEntryPointPackage() throws Exception {
        Manifest m;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            m = new Manifest(in);
        }
        assertThat(m.getMainAttributes().getValue("Export-Package").replaceAll(";uses:=\"[^\"]*\"", ""))
                .isEqualTo("io.github.scanout.source.dmabuf;version=\"0.1.0\"");
    }
}
