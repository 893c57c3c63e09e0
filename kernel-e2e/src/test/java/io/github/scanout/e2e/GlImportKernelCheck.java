package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.fixture.CoreFixture;
import io.github.scanout.core.fixture.WritableMapping;
import io.github.scanout.sink.gl.fixture.HeadlessImporter;
import io.github.scanout.source.dmabuf.DmaBufSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's question, whether a driver stack without a GPU can import a dma-buf for the GL
 * sink's zero-copy path, answered on the real kernel: the test guest's kernel has DRM with vgem
 * and vkms (no GPU driver), and the host's Mesa 22.3 (over 9p) then picks its software driver for
 * DRM devices, kms_swrast, which offers {@code EGL_EXT_image_dma_buf_import} on every EGL platform
 * (llvmpipe alone, as on the host, does not). But it cannot read a buffer another driver exported:
 * the kernel does not map an imported dumb buffer ({@code drm_gem_dumb_map_offset} refuses
 * imported objects) and Mesa reads through the failed mapping. Importing the real mbochs's
 * dma-buf that way killed the JVM with SIGSEGV in kms_swrast_dri.so, through the render node
 * (surfaceless and device platforms) and through the card node (GBM) alike. So the importer must
 * see the driver, refuse the import and say why, and decline the mbochs buffer, instead of taking
 * the process down. Runs in the guest suite (it needs the guest's DRM devices and mbochs): {@code
 * kernel-e2e/run}, or alone with {@code kernel-e2e/run --only GlImportKernelCheck}.
 */
class GlImportKernelCheck {

    @Test
    void kmsSwrastOffersTheImportOnVgemAndTheImporterRefusesItInsteadOfCrashing() throws Exception {
        List<String> nodes = drmNodes();
        System.out.println("scanout-e2e: drm nodes: " + nodes);
        assertThat(nodes).as("the guest kernel's DRM devices").contains("renderD128 vgem");
        List<String> said = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("io.github.scanout.sink.gl");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                said.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(capture);
        try (HeadlessImporter importer = new HeadlessImporter();
                GfxDevice dev = Target.openMbochs()) {
            assertThat(importer.imports(300)).as("the import is refused").isFalse();
            System.out.println("scanout-e2e: the importer said: " + said);
            assertThat(said).as("what the importer said").anySatisfy(l -> assertThat(l)
                    .contains("headless GL ready").contains("driver kms_swrast")
                    .contains("cannot import dma-bufs: Mesa's software driver for DRM devices without a GPU"
                            + " (kms_swrast) offers EGL_EXT_image_dma_buf_import but crashes"));
            Dispi guest = new Dispi(dev);
            PlaneSource source = DmaBufSources.create();
            assertThat(source.probe(dev)).isTrue();
            try (WritableMapping vram = CoreFixture.mapRegionReadWrite(dev, MbochsE2eTest.VRAM);
                    PlaneSession session = source.open(dev)) {
                guest.setMode(1024, 768);
                try (PlaneBuffer b = PlaneSourcesE2eTest.pollUntilShown(session, 1024)) {
                    assertThat(b.cpuReadable()).as("mbochs's dma-bufs cannot be mapped by the CPU").isFalse();
                    assertThat(importer.takes(b)).as("the importer declines %s", b.info()).isFalse();
                }
            } finally {
                guest.disable();
            }
        } finally {
            jul.removeHandler(capture);
        }
    }

    private static List<String> drmNodes() throws IOException {
        List<String> nodes = new ArrayList<>();
        Path drm = Path.of("/sys/class/drm");
        if (!Files.isDirectory(drm)) {
            return nodes;
        }
        try (Stream<Path> s = Files.list(drm)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("(card|renderD)\\d+")).sorted().toList()) {
                String device = Files.readSymbolicLink(p.resolve("device")).getFileName().toString();
                nodes.add(p.getFileName() + " " + device.replaceAll("\\.\\d+$", ""));
            }
        }
        return nodes;
    }
}
