package io.github.scanout.sink.gl.internal;

import static io.github.scanout.sink.gl.internal.GlTestSupport.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every format Scanout shows: upload, draw 1:1 into the headless FBO, read back, and compare
 * with the canonical CPU conversion, exactly. Runs on Mesa's software renderer (llvmpipe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadFormatsTest {
    private GlSink sink;
    private long leasesBefore;
    private long seq;

    @BeforeAll
    void start() throws Exception {
        GlTestSupport.assumeHeadlessGl();
        leasesBefore = Leases.live();
        sink = GlSink.create(GlSinkOptions.headless("formats"));
        assertThat(sink.ready().get(TIMEOUT_S, TimeUnit.SECONDS)).as("zero copy on llvmpipe").isFalse();
    }

    @AfterAll
    void stop() {
        if (sink != null) {
            sink.close();
            assertThat(Leases.live()).as("leases after close").isEqualTo(leasesBefore);
        }
    }

    static Stream<DrmFormat> formats() {
        return DrmFormat.known().stream().filter(PixelConverter::isSupported);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void everyFormatReadsBackExactly(DrmFormat format) throws Exception {
        // odd width and height, padded stride: catches row, alignment and swizzle mistakes
        int w = 37;
        int h = 23;
        int stride = Math.toIntExact(PlaneInfo.rowBytes(format, w)) + 12;
        stride += (4 - stride % 4) % 4;
        check(GlTestSupport.plane(format, w, h, stride), format.fourcc(), false);
    }

    @ParameterizedTest(name = "{0} from direct memory")
    @MethodSource("formats")
    void directMemoryIsUploadedInPlace(DrmFormat format) throws Exception {
        int w = 64;
        int h = 16;
        int stride = Math.toIntExact(PlaneInfo.rowBytes(format, w));
        check(GlTestSupport.plane(format, w, h, stride), 7L * format.fourcc(), true);
    }

    @Test
    void strideThatIsNotWholePixelsIsUploadedRowByRow() throws Exception {
        check(GlTestSupport.plane(DrmFormat.XRGB8888, 31, 9, 31 * 4 + 2), 1, false);
        check(GlTestSupport.plane(DrmFormat.RGB888, 31, 9, 31 * 3 + 1), 2, true);
        check(GlTestSupport.plane(DrmFormat.RGB565, 31, 9, 31 * 2 + 1), 3, false);
    }

    @Test
    void sizeChangesReallocateTheTexture() throws Exception {
        check(GlTestSupport.plane(DrmFormat.XRGB8888, 40, 30, 160), 11, false);
        check(GlTestSupport.plane(DrmFormat.XRGB8888, 20, 50, 80), 12, false);
        check(GlTestSupport.plane(DrmFormat.XRGB2101010, 20, 50, 80), 13, false);
    }

    private void check(PlaneInfo info, long seed, boolean direct) throws Exception {
        ByteBuffer bytes = GlTestSupport.noise(info, seed, direct);
        int[] expected = PixelConverter.toArgb(info, bytes);
        try (PlaneBuffer buffer = GlTestSupport.snapshot(info, bytes)) {
            sink.frame(GlTestSupport.frame(buffer, ++seq));
        } // the pipeline closes its lease when frame() returns; the sink keeps its own
        Snapshot shot = sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(shot.width()).isEqualTo(info.width());
        assertThat(shot.height()).isEqualTo(info.height());
        assertThat(GlTestSupport.firstDifference(expected, shot.argb(), info.width())).as(info.toString()).isNull();
    }
}
