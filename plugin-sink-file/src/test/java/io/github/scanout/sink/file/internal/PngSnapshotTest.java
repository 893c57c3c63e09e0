package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PNG snapshots of every format the canonical conversion supports, in every CPU-readable
 * memory kind, with stride padding and odd sizes: the decoded file equals
 * {@link PixelConverter#toArgb} of the same bytes, pixel for pixel.
 */
class PngSnapshotTest {
    @TempDir
    Path dir;

    static Stream<Arguments> formatsAndMemory() {
        return DrmFormat.known().stream()
                .filter(PixelConverter::isSupported)
                .flatMap(f -> Stream.of(MemoryKind.LIVE_MAPPING, MemoryKind.SNAPSHOT, MemoryKind.PREAD_COPY,
                        MemoryKind.DMABUF_MAPPING).map(m -> Arguments.of(f, m)));
    }

    static int[] read(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    static List<Path> pngs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("formatsAndMemory")
    void everyFormatAndMemoryKindIsWrittenWithTheCanonicalColours(DrmFormat format, MemoryKind memory)
            throws IOException {
        long leases = Leases.live();
        int width = 37; // odd: packed 4:2:2 rounds up to a pair
        int height = 11;
        PlaneInfo info = Frames.plane(format, width, height, Frames.stride(format, width, 12));
        ByteBuffer bytes = Frames.randomBytes(info, format.fourcc() ^ memory.ordinal());
        int[] expected = PixelConverter.toArgb(info, bytes);
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).build());
        try (PlaneBuffer buffer = Frames.buffer(info, memory, bytes)) {
            sink.frame(Frames.frame(buffer, 1, 0));
        }
        sink.close();
        List<Path> files = pngs(dir);
        assertThat(files).hasSize(1);
        assertThat(read(files.get(0))).as("%s %s", format, memory).isEqualTo(expected);
        assertThat(Leases.live()).as("leases given back").isEqualTo(leases);
    }

    /**
     * Large frames (the first of each sink encoded in bands of rows, the next on the sink's
     * thread alone) through sinks made one after the other, each starting with the encoder a
     * closed one left, in sizes and formats that differ from sink to sink: every file is its
     * own frame.
     */
    @Test
    void sinksOneAfterTheOtherWriteEachTheirOwnFrames() throws IOException {
        long leases = Leases.live();
        int[][] sizes = {{1280, 720}, {1920, 1080}, {640, 1200}, {1280, 720}};
        DrmFormat[] formats = {DrmFormat.XRGB8888, DrmFormat.ARGB8888, DrmFormat.XRGB8888, DrmFormat.RGB565};
        for (int k = 0; k < sizes.length; k++) {
            Path own = Files.createDirectory(dir.resolve("sink" + k));
            FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, own).maxFps(0).build());
            PlaneInfo info = Frames.plane(formats[k], sizes[k][0], sizes[k][1],
                    Frames.stride(formats[k], sizes[k][0], 64));
            int[][] expected = new int[2][];
            for (int n = 0; n < 2; n++) {
                ByteBuffer bytes = Frames.randomBytes(info, 31L * k + n);
                expected[n] = PixelConverter.toArgb(info, bytes);
                try (PlaneBuffer buffer = Frames.buffer(info, MemoryKind.SNAPSHOT, bytes)) {
                    sink.frame(Frames.frame(buffer, n + 1, n * 1_000_000L));
                }
            }
            sink.close();
            List<Path> files = pngs(own);
            assertThat(files).as("sink %d", k).hasSize(2);
            for (int n = 0; n < 2; n++) {
                assertThat(read(files.get(n))).as("sink %d frame %d", k, n).isEqualTo(expected[n]);
            }
        }
        assertThat(Leases.live()).as("leases given back").isEqualTo(leases);
    }

    @Test
    void namesFollowThePatternWithASafeDeviceName() throws IOException {
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).build());
        try (PlaneBuffer a = Frames.solid(4, 4, 0xff0000)) {
            sink.frame(new io.github.scanout.api.sink.Frame("sim:mbochs?mode=800x600&type=../x", 42, 0,
                    1_700_000_000_123L, a, io.github.scanout.api.sink.CursorState.hidden()));
        }
        sink.close();
        assertThat(pngs(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("sim_mbochs_mode_800x600_type_.._x-00000042-20231114-221320.123.png");
    }
}
