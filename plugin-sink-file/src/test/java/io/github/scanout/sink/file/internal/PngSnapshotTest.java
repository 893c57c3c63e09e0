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
