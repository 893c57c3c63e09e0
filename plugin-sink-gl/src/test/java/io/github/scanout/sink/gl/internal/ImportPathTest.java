package io.github.scanout.sink.gl.internal;

import static io.github.scanout.sink.gl.internal.GlTestSupport.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.sim.GvtDevice;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zero-copy path and its fallbacks. On llvmpipe the real EGL display has no
 * EGL_EXT_image_dma_buf_import, so the real fallback is tested there; the import code itself is
 * driven through {@link FakeEgl} over real GL (attribute lists, cache, failures, tiling).
 */
class ImportPathTest {
    private GvtBuffers gvt;
    private GlSink sink;
    private long leasesBefore;
    private long seq;

    @BeforeEach
    void start() throws Exception {
        GlTestSupport.assumeHeadlessGl();
        leasesBefore = Leases.live();
        gvt = new GvtBuffers(GvtDevice.create());
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
        if (gvt != null) {
            assertThat(gvt.liveFds()).as("simulated fds left: the device fd only").isEqualTo(1);
            gvt.close();
            assertThat(Leases.live()).as("leases").isEqualTo(leasesBefore);
        }
    }

    /** Delivers a frame and waits until it is drawn (the mailbox is latest-wins). */
    private void show(PlaneBuffer buffer) throws Exception {
        try (buffer) {
            sink.frame(GlTestSupport.frame(buffer, ++seq));
        }
        sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private Snapshot snapshot() throws Exception {
        return sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private void assertShowsDevice(String what) throws Exception {
        Snapshot s = snapshot();
        PlaneInfo p = gvt.primary();
        assertThat(s.width()).isEqualTo(p.width());
        assertThat(GlTestSupport.firstDifference(gvt.gvt.pixels(), s.argb(), p.width())).as(what).isNull();
    }

    private GlSink fakeSink(FakeEgl egl) throws Exception {
        sink = new GlSink(GlSinkOptions.headless("sim:gvt"), Optional::empty, FakeContext.factory(egl));
        assertThat(sink.ready().get(TIMEOUT_S, TimeUnit.SECONDS)).as("zero copy with the fake layer").isTrue();
        return sink;
    }

    @Test
    void llvmpipeOffersNoImportSoMappableBuffersAreUploadedAndOthersGetThePlaceholder() throws Exception {
        sink = GlSink.create(GlSinkOptions.headless("sim:gvt"));
        assertThat(sink.ready().get(TIMEOUT_S, TimeUnit.SECONDS)).as("zero copy on llvmpipe").isFalse();
        assertThat(sink.needs().cpuPixels()).as("asks the pipeline for CPU pixels").isTrue();
        show(gvt.mapped());
        assertShowsDevice("mapped dma-buf through the upload path");
        show(gvt.unmappable());
        Snapshot s = snapshot();
        assertThat(s.width()).as("placeholder, not a black frame").isEqualTo(Placeholder.WIDTH);
        String reason = ((HeadlessDriver) sink.driver()).withRenderer(r -> r.placeholder().orElse(""))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(reason).contains("cannot map").contains("EGL_EXT_image_dma_buf_import is not offered");
        assertThat(s.argb()).contains(Placeholder.TITLE);
    }

    @Test
    void importedBufferIsShownWithTheRightAttributesAndCachedPerBuffer() throws Exception {
        FakeEgl egl = FakeEgl.withModifiers(gvt);
        fakeSink(egl);
        assertThat(sink.needs().cpuPixels()).as("imports itself").isFalse();
        PlaneInfo info = gvt.primary();
        int fd;
        try (PlaneBuffer b = gvt.unmappable()) {
            fd = b.dmaBuf().orElseThrow().fd();
            for (int i = 0; i < 5; i++) {
                sink.frame(GlTestSupport.frame(b, ++seq));
            }
        }
        assertShowsDevice("imported GVT buffer");
        assertThat(egl.created()).as("one import for five frames of one buffer").isEqualTo(1);
        int[] a = egl.attributeLists().get(0);
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_FD_EXT)).isEqualTo(fd);
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_PITCH_EXT)).isEqualTo(info.stride());
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_OFFSET_EXT)).isZero();
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_LINUX_DRM_FOURCC_EXT)).isEqualTo(info.format().fourcc());
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_WIDTH)).isEqualTo(info.width());
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_HEIGHT)).isEqualTo(info.height());
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).as("explicit LINEAR").isZero();
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isZero();

        gvt.gvt.flip(); // the guest draws the next frame into its back buffer and flips
        show(gvt.unmappable());
        assertShowsDevice("after a page flip");
        assertThat(egl.created()).isEqualTo(2);
        sink.noSignal("guest disabled the plane");
        sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(egl.liveImages()).as("images dropped with the signal").isZero();
        assertThat(gvt.liveFds()).as("dma-bufs released with the signal").isEqualTo(1);
    }

    @Test
    void tiledBuffersPassTheirModifierAndShowDetiled() throws Exception {
        gvt.gvt.setPrimary(DrmFormat.XRGB8888, Modifier.I915_X_TILED, 640, 480);
        gvt.gvt.drawTestPattern(3);
        FakeEgl egl = FakeEgl.withModifiers(gvt);
        fakeSink(egl);
        show(gvt.unmappable());
        assertShowsDevice("X-tiled buffer");
        int[] a = egl.attributeLists().get(0);
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT)).isEqualTo(1);
        assertThat(FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT)).isEqualTo(0x01000000);
    }

    @Test
    void tiledBufferWithoutTheModifiersExtensionFallsBackWithoutAnEglCall() throws Exception {
        gvt.gvt.setPrimary(DrmFormat.XRGB8888, Modifier.I915_Y_TILED, 320, 256);
        FakeEgl egl = new FakeEgl(Set.of(DmaBufAttributes.IMPORT), gvt);
        fakeSink(egl);
        show(gvt.unmappable());
        Snapshot s = snapshot();
        assertThat(s.width()).isEqualTo(Placeholder.WIDTH);
        assertThat(egl.attributeLists()).as("no eglCreateImage for a buffer EGL cannot be told about").isEmpty();
        String reason = ((HeadlessDriver) sink.driver()).withRenderer(r -> r.placeholder().orElse(""))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(reason).contains("I915_Y_TILED").contains(DmaBufAttributes.IMPORT_MODIFIERS);
    }

    @Test
    void failedImportsFallBackToTheUploadPathWithoutRetryingAndSwitchOffAfterThree() throws Exception {
        FakeEgl egl = FakeEgl.withModifiers(gvt);
        egl.failWith(0x3009); // EGL_BAD_MATCH
        fakeSink(egl);
        try (PlaneBuffer b = gvt.mapped()) {
            for (int i = 0; i < 4; i++) {
                sink.frame(GlTestSupport.frame(b, ++seq));
                sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        assertShowsDevice("upload path after a failed import");
        assertThat(egl.attributeLists()).as("the failed buffer is not retried").hasSize(1);
        show(gvt.mapped());
        show(gvt.mapped());
        sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(egl.attributeLists()).as("three distinct failures").hasSize(3);
        boolean zeroCopy = ((HeadlessDriver) sink.driver()).withRenderer(SinkRenderer::zeroCopy)
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(zeroCopy).as("switched off after three failures in a row").isFalse();
        show(gvt.mapped());
        assertShowsDevice("still the upload path");
        assertThat(egl.attributeLists()).as("no more import attempts").hasSize(3);
        show(gvt.unmappable());
        assertThat(snapshot().width()).as("an unmappable buffer now gets the placeholder").isEqualTo(Placeholder.WIDTH);
    }

    @Test
    void evictedImportsReleaseTheirImageAndLease() throws Exception {
        FakeEgl egl = FakeEgl.withModifiers(gvt);
        fakeSink(egl);
        for (int i = 0; i < 7; i++) {
            show(gvt.unmappable()); // each GET_GFX_DMABUF of GVT-g is a new dma-buf: a new identity
        }
        sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(egl.created()).isEqualTo(7);
        assertThat(egl.liveImages()).as("cache capacity").isEqualTo(4);
        assertThat(egl.destroyedImages()).isEqualTo(3);
        assertThat(gvt.liveFds()).as("device fd + 4 cached dma-bufs").isEqualTo(5);
        assertShowsDevice("newest buffer");
        sink.close();
        assertThat(egl.liveImages()).as("all images destroyed on close").isZero();
        assertThat(egl.attributeLists()).extracting(a -> FakeEgl.value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_FD_EXT))
                .doesNotContainNull();
        assertThat(List.of(egl.destroyedImages())).containsExactly(7);
    }
}
