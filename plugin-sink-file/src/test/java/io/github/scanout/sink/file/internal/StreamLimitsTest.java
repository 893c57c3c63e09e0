package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What bounds what a file sink leaves on disk: stream rotation by size and time with retention,
 * the free-space floor, stale temporary files, a stream path that is a directory, and two sinks
 * on the same files.
 */
class StreamLimitsTest {
    static final long MS = 1_000_000L;
    /** One raw frame of 4x4 XRGB: the 64-byte header and 64 bytes of pixels. */
    static final int RAW_FRAME = 64 + 4 * 4 * 4;

    @TempDir
    Path dir;

    final RecordingLog log = new RecordingLog();
    final FakeClock clock = new FakeClock();

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    void write(FileSink sink, int first, int count) {
        for (int i = first; i < first + count; i++) {
            try (PlaneBuffer p = Frames.solid(4, 4, i)) {
                sink.frame(Frames.frame(p, i, i * 10 * MS));
            }
        }
    }

    @Test
    void aRawStreamRotatesBySizeAndKeepsTheNewestFiles() throws IOException {
        Files.writeString(dir.resolve("unrelated.raw"), "not ours");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, dir.resolve("cap.raw"))
                .onlyWhenChanged(false).rotateBytes(3 * RAW_FRAME).keep(2).build(), new RealDisk(), log, clock);
        write(sink, 1, 10); // 3 + 3 + 3 + 1 frames: four files, the two newest kept
        sink.close();
        assertThat(sink.written()).isEqualTo(10);
        assertThat(files()).containsExactly("cap-3.raw", "cap-4.raw", "unrelated.raw");
        assertThat(Files.size(dir.resolve("cap-3.raw"))).isEqualTo(3 * RAW_FRAME);
        assertThat(Files.size(dir.resolve("cap-4.raw"))).isEqualTo(RAW_FRAME);
        assertThat(log.warnings).isEmpty();
    }

    @Test
    void aY4mStreamRotatesByTimeAndEachFileHasItsHeader() throws IOException {
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, dir.resolve("v.y4m"))
                .onlyWhenChanged(false).rotateSeconds(1).build(), new RealDisk(), log, clock);
        write(sink, 1, 2);
        clock.advanceMillis(999);
        write(sink, 3, 1);
        clock.advanceMillis(1);
        write(sink, 4, 2);
        sink.close();
        assertThat(files()).containsExactly("v-2.y4m", "v.y4m");
        for (String f : files()) {
            assertThat(Files.readString(dir.resolve(f), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .startsWith("YUV4MPEG2 W4 H4 ");
        }
        assertThat(count(dir.resolve("v.y4m"))).isEqualTo(3);
        assertThat(count(dir.resolve("v-2.y4m"))).isEqualTo(2);
    }

    private static int count(Path y4m) throws IOException {
        String s = Files.readString(y4m, java.nio.charset.StandardCharsets.ISO_8859_1);
        int n = 0;
        for (int at = s.indexOf("FRAME\n"); at >= 0; at = s.indexOf("FRAME\n", at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void retentionCountsTheFilesOfEarlierRunsAndANewRunNeverReusesAnOldNumber() throws IOException {
        Files.writeString(dir.resolve("cap.raw"), "old");
        Files.writeString(dir.resolve("cap-7.raw"), "old");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, dir.resolve("cap.raw"))
                .onlyWhenChanged(false).keep(2).build(), new RealDisk(), log, clock);
        write(sink, 1, 1);
        sink.close();
        assertThat(files()).containsExactly("cap-7.raw", "cap-8.raw");
    }

    @Test
    void belowTheFreeSpaceFloorNothingIsWrittenWithOneWarningAndWritingResumesWhenSpaceReturns() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).onlyWhenChanged(false)
                .namePattern("{seq}.png").minFreeBytes(1000).build(), disk, log, clock);
        write(sink, 1, 1);
        disk.space(999, 1 << 30);
        write(sink, 2, 5);
        assertThat(sink.written()).isEqualTo(1);
        assertThat(sink.output().frames()).isEqualTo(1);
        assertThat(sink.output().lastError()).contains("below min.free.bytes");
        assertThat(log.warnings).hasSize(1);
        assertThat(log.warnings.get(0)).contains("stopped writing", "min.free.bytes", "until space returns");
        disk.space(1000, 1 << 30);
        write(sink, 7, 1);
        sink.close();
        assertThat(sink.written()).isEqualTo(2);
        assertThat(log.warnings).hasSize(1);
        assertThat(log.infos).anyMatch(l -> l.contains("writing again"));
        assertThat(files()).containsExactly("1.png", "7.png");
    }

    @Test
    void theAutomaticFloorIsOneGibOrFivePercentOfASmallFileSystem() {
        FileSinkOptions auto = FileSinkOptions.builder(OutputFormat.PNG, dir).build();
        assertThat(auto.minFreeBytes(1L << 40)).isEqualTo(1L << 30);
        assertThat(auto.minFreeBytes(1000L << 20)).isEqualTo(50L << 20);
        assertThat(FileSinkOptions.builder(OutputFormat.PNG, dir).minFreeBytes(0).build().minFreeBytes(1L << 40))
                .isZero();
    }

    @Test
    void aStreamBelowTheFloorStopsAndResumesInANewFile() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, dir.resolve("cap.raw"))
                .onlyWhenChanged(false).build(), disk, log, clock);
        write(sink, 1, 2);
        disk.space(0, 1 << 30); // auto floor: 5% of 1 GiB
        write(sink, 3, 3);
        disk.space(1 << 29, 1 << 30);
        write(sink, 6, 1);
        sink.close();
        assertThat(sink.written()).isEqualTo(3);
        assertThat(files()).containsExactly("cap-2.raw", "cap.raw");
        assertThat(Files.size(dir.resolve("cap.raw"))).isEqualTo(2 * RAW_FRAME);
        assertThat(log.warnings).hasSize(1);
    }

    @Test
    void atStartTheTemporaryFilesACrashLeftAreRemovedAndNothingElse() throws IOException {
        List<String> stale = List.of(".sim_mdpy-00000003-20231114-221321.100.png.tmp", ".dev-00000001-20240101-000000.000.png.tmp");
        for (String s : stale) {
            Files.writeString(dir.resolve(s), "half a png");
        }
        List<String> others = List.of(".notes.tmp", "keep.png.tmp", ".other.png.tmp",
                "dev-00000001-20240101-000000.000.png");
        for (String s : others) {
            Files.writeString(dir.resolve(s), "not a temporary file of this sink");
        }
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).keep(1).build(), new RealDisk(),
                log, clock);
        sink.close();
        assertThat(files()).containsExactlyInAnyOrderElementsOf(others);
        assertThat(log.infos).anyMatch(l -> l.contains("removed 2 temporary file(s)"));
    }

    @Test
    void aStreamPathThatIsADirectoryIsRefusedNotWrittenBesideIt() throws IOException {
        Path existing = Files.createDirectory(dir.resolve("out"));
        assertThatThrownBy(() -> new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, existing).build(),
                new RealDisk(), log, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path = '" + existing + "' is refused: it is a directory")
                .hasMessageContaining(existing.resolve("capture.y4m").toString());
        assertThat(files()).containsExactly("out");
    }

    @Test
    void aStreamPathThatBecomesADirectoryIsReportedNotWrittenBesideIt() throws IOException {
        Path file = dir.resolve("cap.raw");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, file).onlyWhenChanged(false).build(),
                new RealDisk(), log, clock);
        Files.createDirectory(file);
        write(sink, 1, 1);
        sink.close();
        assertThat(sink.written()).isZero();
        assertThat(files()).containsExactly("cap.raw");
        assertThat(log.warnings).singleElement().asString().contains("is a directory");
    }

    @Test
    void aSecondSinkOnTheSamePatternAndDirectoryIsRefusedUntilTheFirstCloses() {
        FileSink first = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).build(), new RealDisk(), log, clock);
        assertThatThrownBy(() -> new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir.resolve(".")).build(),
                new RealDisk(), log, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another file sink of this runtime already writes name.pattern");
        FileSink other = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).namePattern("b-{seq}.png").build(),
                new RealDisk(), log, clock);
        other.close();
        Path stream = dir.resolve("a.y4m");
        FileSink y4m = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, stream).build(), new RealDisk(), log, clock);
        assertThatThrownBy(() -> new FileSink(FileSinkOptions.builder(OutputFormat.RAW, stream).build(),
                new RealDisk(), log, clock)).hasMessageContaining("already writes this stream");
        y4m.close();
        first.close();
        new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).build(), new RealDisk(), log, clock).close();
    }
}
