package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults: one clear line per condition, back-off (1 s doubling to 30 s) during which frames
 * are skipped without touching the disk, one line on recovery, no partial files, and
 * {@code frame()} never throws. Each condition is tested through the injected {@link FaultyDisk}
 * (everywhere) and, where the machine lets the test mount, on a real tmpfs.
 */
class FaultTest {
    static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    final RecordingLog log = new RecordingLog();
    final FakeClock clock = new FakeClock();
    final Tmpfs tmpfs = new Tmpfs();
    long sequence;

    @AfterEach
    void unmount() {
        tmpfs.close();
    }

    /** A frame of noise (does not compress) captured now on the fake clock. */
    void frame(FileSink sink, int width, int height) {
        PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, width, height, width * 4);
        try (PlaneBuffer p = Frames.buffer(info, MemoryKind.SNAPSHOT, Frames.randomBytes(info, ++sequence))) {
            assertThatCode(() -> sink.frame(Frames.frame(p, sequence, clock.now()))).doesNotThrowAnyException();
        }
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReadOnlyDirectoryIsReportedOnceAndRetriedWithBackOff() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        disk.readOnly(true);
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).onlyWhenChanged(false)
                .build(), disk, log, clock);
        frame(sink, 8, 8);
        assertThat(log.warnings).singleElement().asString().isEqualTo("file sink 'png:" + dir + "': cannot write to "
                + dir + ": Read-only file system (frames are skipped; retrying in 1 s, backing off to 30 s)");
        // attempts at 0, 1, 3, 7, 15, 31, 61, 91 s: the delay doubles up to 30 s
        long[] expectedAttemptsAt = {0, 1, 3, 7, 15, 31, 61, 91};
        int attempts = 1;
        for (int second = 1; second <= 100; second++) {
            for (int tick = 0; tick < 10; tick++) {
                clock.advanceMillis(100);
                int before = disk.operations.size();
                frame(sink, 8, 8);
                if (disk.operations.size() != before) {
                    assertThat(clock.now() - 1_000_000_000L).as("attempt %d", attempts)
                            .isEqualTo(expectedAttemptsAt[attempts] * 1000 * MS);
                    attempts++;
                }
            }
            if (second == 95) {
                break;
            }
        }
        assertThat(attempts).isEqualTo(expectedAttemptsAt.length);
        assertThat(log.warnings).hasSize(1);
        assertThat(files(dir)).isEmpty();

        disk.readOnly(false);
        clock.advanceMillis(30_000);
        frame(sink, 8, 8);
        assertThat(files(dir)).hasSize(1);
        assertThat(log.infos).singleElement().asString().startsWith("file sink 'png:" + dir + "': writing to " + dir
                + " again after: Read-only file system (").endsWith(" frames skipped while failing)");
        sink.close();
    }

    @Test
    void aFullDiskLeavesNoPartialPngAndRecoversWhenSpaceIsFreed() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).build(), disk, log, clock);
        frame(sink, 64, 64);
        assertThat(files(dir)).hasSize(1);
        disk.quota(1000); // the next noise PNG (about 12 KB) does not fit
        for (int i = 0; i < 5; i++) {
            clock.advanceMillis(100);
            frame(sink, 64, 64);
        }
        assertThat(files(dir)).as("no temporary or partial file").hasSize(1);
        assertThat(disk.operations).contains("delete .sim_mdpy-vga-00000002-20231114-221321.100.png.tmp");
        assertThat(log.warnings).singleElement().asString().contains("No space left on device");
        disk.unlimited();
        clock.advanceMillis(1000);
        frame(sink, 64, 64);
        assertThat(files(dir)).hasSize(2);
        assertThat(log.infos).singleElement().asString().contains("again after: No space left on device (4 frames skipped");
        sink.close();
    }

    @Test
    void aFullDiskCutsARawStreamBackToItsLastWholeFrame() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        Path file = dir.resolve("cap.raw");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, file).build(), disk, log, clock);
        int frameBytes = 64 + 16 * 16 * 4;
        frame(sink, 16, 16);
        frame(sink, 16, 16);
        disk.quota(frameBytes / 2);
        clock.advanceMillis(10);
        frame(sink, 16, 16);
        assertThat(Files.size(file)).isEqualTo(2L * frameBytes);
        assertThat(disk.operations).contains("truncate cap.raw " + 2 * frameBytes);
        disk.unlimited();
        clock.advanceMillis(1000);
        frame(sink, 16, 16);
        sink.close();
        assertThat(RawStreamTest.read(file)).extracting(RawStreamTest.RawFrame::sequence).containsExactly(1L, 2L, 4L);
    }

    @Test
    void aMissingDirectoryIsReportedAndPickedUpWhenItAppears() throws IOException {
        Path missing = dir.resolve("shots");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, missing).maxFps(0).build(), new RealDisk(),
                log, clock);
        frame(sink, 4, 4);
        clock.advanceMillis(500);
        frame(sink, 4, 4);
        assertThat(log.warnings).singleElement().asString().isEqualTo("file sink 'png:" + missing + "': cannot write to "
                + missing + ": directory does not exist (the sink does not create it) (frames are skipped; retrying in 1 s,"
                + " backing off to 30 s)");
        Files.createDirectory(missing);
        clock.advanceMillis(600);
        frame(sink, 4, 4);
        assertThat(files(missing)).hasSize(1);
        assertThat(log.infos).hasSize(1);
        sink.close();
    }

    @Test
    void aStreamFileDeletedWhileRecordingIsReportedAndANewOneStarted() throws IOException {
        for (OutputFormat format : List.of(OutputFormat.RAW, OutputFormat.Y4M)) {
            Path file = dir.resolve("rec." + format.key());
            FileSink sink = new FileSink(FileSinkOptions.builder(format, file).onlyWhenChanged(false).build(),
                    new RealDisk(), log, clock);
            frame(sink, 8, 4);
            frame(sink, 8, 4);
            Files.delete(file);
            frame(sink, 8, 4);
            frame(sink, 8, 4);
            sink.close();
            assertThat(log.warnings).as("%s", format).hasSize(1);
            // the next file of the stream: a number above every one it has used
            Path next = dir.resolve("rec-2." + format.key());
            assertThat(log.warnings.get(0)).contains(file + " was deleted or replaced while being written",
                    "continuing in a new file " + next);
            assertThat(Files.exists(file)).isFalse();
            file = next;
            if (format == OutputFormat.RAW) {
                assertThat(RawStreamTest.read(file)).hasSize(2);
            } else {
                byte[] y4m = Files.readAllBytes(file);
                String header = Y4mStreamTest.header(y4m);
                assertThat(header).startsWith("YUV4MPEG2 W8 H4 ");
                assertThat(y4m.length).isEqualTo(header.length() + 2 * (6 + 32 + 2 * 8));
            }
            log.warnings.clear();
        }
    }

    @Test
    void aReadOnlyMountIsReportedOnce() throws IOException {
        Path mnt = Files.createDirectory(dir.resolve("ro"));
        tmpfs.mount(mnt, "size=64k,ro");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, mnt).maxFps(0).build(), new RealDisk(),
                log, clock);
        for (int i = 0; i < 4; i++) {
            frame(sink, 8, 8);
            clock.advanceMillis(2000);
        }
        sink.close();
        assertThat(log.warnings).singleElement().asString().contains("cannot write to " + mnt, "Read-only file system");
        assertThat(files(mnt)).isEmpty();
    }

    @Test
    void aFullTmpfsLeavesNoPartialFiles() throws IOException {
        Path mnt = Files.createDirectory(dir.resolve("small"));
        tmpfs.mount(mnt, "size=64k");
        // no free-space floor: this is about what a write that hits ENOSPC leaves
        FileSink png = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, mnt).maxFps(0).minFreeBytes(0).build(),
                new RealDisk(), log, clock);
        frame(png, 120, 120); // noise: about 43 KB
        frame(png, 120, 120); // does not fit beside the first
        png.close();
        assertThat(files(mnt)).hasSize(1);
        assertThat(log.warnings).singleElement().asString().contains("No space left on device");

        log.warnings.clear();
        Path raw = mnt.resolve("cap.raw");
        FileSink stream = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, raw).minFreeBytes(0).build(),
                new RealDisk(), log, clock);
        for (int i = 0; i < 8; i++) {
            frame(stream, 32, 32); // 4160 bytes each
            clock.advanceMillis(100);
        }
        stream.close();
        long size = Files.exists(raw) ? Files.size(raw) : 0;
        assertThat(size % (64 + 32 * 32 * 4)).as("only whole frames: %d bytes", size).isZero();
        assertThat(log.warnings).as(log.warnings.toString()).singleElement().asString().contains("No space left on device");
    }

    @Test
    void aFileSystemTurningReadOnlyMidStreamKeepsTheWholeFrames() throws IOException {
        Path mnt = Files.createDirectory(dir.resolve("flip"));
        tmpfs.mount(mnt, "size=1m");
        Path raw = mnt.resolve("cap.raw");
        FileSink stream = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, raw).build(), new RealDisk(), log, clock);
        frame(stream, 16, 16);
        frame(stream, 16, 16);
        stream.detached(); // the open file would keep a writable handle; a remount refuses busy files
        tmpfs.remountReadOnly(mnt);
        clock.advanceMillis(100);
        frame(stream, 16, 16);
        stream.close();
        assertThat(RawStreamTest.read(raw)).hasSize(2);
        assertThat(log.warnings).singleElement().asString().contains("Read-only file system");
    }
}
