package io.github.scanout.sink.gl.internal;

import static io.github.scanout.sink.gl.internal.GlTestSupport.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.sim.GvtDevice;
import io.github.scanout.sink.file.fixture.FileSinkFixture;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The headless importer: on llvmpipe it declines (the extension is missing, said clearly); with
 * the fake EGL import layer over real GL it reads GVT buffers back exactly in their own format,
 * detiled, and the file sink saves frames of a GVT-g whose dma-bufs refuse mmap.
 *
 * <p>Not verified here: a real driver importing the fd (needs a GPU; see GpuCheck).
 */
class GlImporterTest {
    private GvtBuffers gvt;
    private GlImporter importer;
    private long leasesBefore;

    @BeforeEach
    void start() throws Exception {
        GlTestSupport.assumeHeadlessGl();
        leasesBefore = Leases.live();
        gvt = new GvtBuffers(GvtDevice.create());
    }

    @AfterEach
    void stop() {
        if (importer != null) {
            importer.close();
        }
        if (gvt != null) {
            assertThat(gvt.liveFds()).as("simulated fds left: the device fd only").isEqualTo(1);
            gvt.close();
            assertThat(Leases.live()).as("leases").isEqualTo(leasesBefore);
        }
    }

    private GlImporter fakeImporter() throws Exception {
        importer = new GlImporter(FakeContext.factory(FakeEgl.withModifiers(gvt)), true);
        assertThat(importer.ready().get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        return importer;
    }

    @Test
    void onLlvmpipeItDeclinesAndSaysWhy() throws Exception {
        importer = GlImporter.create(EglPlatform.AUTO, true);
        assertThat(importer.ready().get(TIMEOUT_S, TimeUnit.SECONDS)).as("imports on llvmpipe").isFalse();
        try (PlaneBuffer b = gvt.unmappable()) {
            assertThat(importer.canImport(b)).isFalse();
            assertThatThrownBy(() -> importer.importToCpu(b)).isInstanceOf(ImportFailedException.class)
                    .hasMessageContaining("EGL_EXT_image_dma_buf_import is not offered");
        }
    }

    @Test
    void cpuReadableBuffersAreNotItsBusiness() throws Exception {
        fakeImporter();
        try (PlaneBuffer b = gvt.mapped()) {
            assertThat(importer.canImport(b)).isFalse();
        }
        try (PlaneBuffer b = gvt.unmappable()) {
            assertThat(importer.canImport(b)).isTrue();
        }
    }

    static Stream<DrmFormat> formats() {
        return DmaBufAttributes.FORMATS.stream().sorted((a, b) -> a.toString().compareTo(b.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void readsBackInTheSameFormatExactly(DrmFormat format) throws Exception {
        gvt.gvt.setPrimary(format, Modifier.LINEAR, 150, 70);
        gvt.gvt.drawTestPattern(5);
        fakeImporter();
        assertImportShowsDevice(format, Modifier.LINEAR);
    }

    @Test
    void tiledBuffersComeBackLinear() throws Exception {
        gvt.gvt.setPrimary(DrmFormat.XRGB8888, Modifier.I915_X_TILED, 1024, 64);
        gvt.gvt.drawTestPattern(2);
        fakeImporter();
        assertImportShowsDevice(DrmFormat.XRGB8888, Modifier.I915_X_TILED);
        gvt.gvt.setPrimary(DrmFormat.ARGB8888, Modifier.I915_Y_TILED, 256, 96);
        gvt.gvt.drawTestPattern(3);
        assertImportShowsDevice(DrmFormat.ARGB8888, Modifier.I915_Y_TILED);
    }

    private void assertImportShowsDevice(DrmFormat format, Modifier modifier) throws Exception {
        try (PlaneBuffer in = gvt.unmappable()) {
            assertThat(in.info().modifier()).isEqualTo(modifier);
            assertThat(importer.canImport(in)).isTrue();
            try (PlaneBuffer out = importer.importToCpu(in)) {
                PlaneInfo o = out.info();
                assertThat(out.memory()).isEqualTo(MemoryKind.SNAPSHOT);
                assertThat(o.format()).isEqualTo(format);
                assertThat(o.modifier()).isEqualTo(Modifier.LINEAR);
                assertThat(o.width()).isEqualTo(in.info().width());
                assertThat(o.height()).isEqualTo(in.info().height());
                int[] got = PixelConverter.toArgb(o, out.pixels());
                assertThat(GlTestSupport.firstDifference(gvt.gvt.pixels(), got, o.width())).as(format + " " + modifier)
                        .isNull();
            }
        }
    }

    @Test
    void theFileSinkSavesGvtFramesWhoseDmaBufsRefuseMmap(@TempDir Path dir) throws Exception {
        fakeImporter();
        FileSinkFixture.PngFiles files = FileSinkFixture.pngSink(dir, "sim:gvt");
        try (files) {
            for (int frame = 1; frame <= 2; frame++) {
                gvt.gvt.flip();
                try (PlaneBuffer dmabuf = gvt.unmappable()) {
                    assertThatThrownBy(() -> dmabuf.dmaBuf().orElseThrow().mapReadOnly())
                            .as("GVT-g refuses CPU mappings").isInstanceOf(DeviceException.class)
                            .matches(e -> ((DeviceException) e).is(Errno.ENODEV));
                    assertThat(importer.canImport(dmabuf)).isTrue();
                    try (PlaneBuffer pixels = importer.importToCpu(dmabuf)) {
                        files.frame(GlTestSupport.frame(pixels, frame));
                    }
                }
                List<Path> pngs;
                try (Stream<Path> s = Files.list(dir)) {
                    pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
                }
                assertThat(pngs).as("PNG files after frame " + frame).hasSize(frame);
                BufferedImage img = ImageIO.read(pngs.get(frame - 1).toFile());
                int w = img.getWidth();
                int[] saved = img.getRGB(0, 0, w, img.getHeight(), null, 0, w);
                int[] expected = gvt.gvt.pixels();
                for (int i = 0; i < saved.length; i++) {
                    saved[i] |= 0xff000000; // an RGB PNG reads back opaque
                }
                assertThat(GlTestSupport.firstDifference(expected, saved, w)).as("PNG of frame " + frame).isNull();
            }
        }
    }
}
