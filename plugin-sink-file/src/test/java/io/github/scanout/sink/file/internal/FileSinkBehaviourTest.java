package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.sink.SinkNeeds;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limit, only-when-changed, retention, atomic writes, and what the sink refuses to read. */
class FileSinkBehaviourTest {
    static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    final RecordingLog log = new RecordingLog();
    final FakeClock clock = new FakeClock();

    FileSink sink(FileSinkOptions.Builder options) {
        return new FileSink(options.build(), new RealDisk(), log, clock);
    }

    FileSink sink(FileSinkOptions.Builder options, Disk disk) {
        return new FileSink(options.build(), disk, log, clock);
    }

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void needsCpuPixelsThatDoNotChangeWhileRead() {
        SinkNeeds png = sink(FileSinkOptions.builder(OutputFormat.PNG, dir)).needs();
        assertThat(png.cpuPixels()).isTrue();
        assertThat(png.consistent()).isTrue();
        assertThat(png.formats()).isEmpty();
        assertThat(png.maxFps()).isEqualTo(1.0);
        assertThat(sink(FileSinkOptions.builder(OutputFormat.Y4M, dir.resolve("a.y4m"))).needs().maxFps()).isZero();
    }

    @Test
    void theRateLimitKeepsToItsScheduleOnTheCaptureClock() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(2).onlyWhenChanged(false)
                .namePattern("{seq:04d}.png"));
        for (int i = 0; i < 20; i++) { // 10 fps for 2 s, with a little jitter
            try (PlaneBuffer p = Frames.solid(4, 4, i)) {
                sink.frame(Frames.frame(p, i + 1, i * 100 * MS + (i % 3) * MS));
            }
        }
        assertThat(sink.written()).isEqualTo(4);
        sink.close();
        assertThat(files()).containsExactly("0001.png", "0006.png", "0011.png", "0016.png");
    }

    @Test
    void framesPacedByThePipelineAreNotRefusedForArrivingSlightlyEarly() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).namePattern("{seq}.png"));
        long[] at = {0, 950, 1_900, 2_000, 2_880, 2_990}; // 1 fps with jitter, and two too soon
        for (int i = 0; i < at.length; i++) {
            try (PlaneBuffer p = Frames.solid(4, 4, i)) {
                sink.frame(Frames.frame(p, i + 1, at[i] * MS));
            }
        }
        sink.close();
        assertThat(files()).containsExactly("1.png", "2.png", "3.png", "5.png");
    }

    @Test
    void pngDefaultsToOneFramePerSecond() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).namePattern("{seq}.png"));
        for (int i = 0; i < 30; i++) {
            try (PlaneBuffer p = Frames.solid(4, 4, i)) {
                sink.frame(Frames.frame(p, i + 1, i * 100 * MS));
            }
        }
        sink.close();
        // one per second; a frame up to 125 ms before its slot takes it
        assertThat(files()).containsExactly("1.png", "10.png", "20.png", "30.png");
    }

    @Test
    void unchangedPixelsAreSkippedWhateverTheBufferIdOrPadding() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).namePattern("{seq}.png"));
        int[] px = Frames.opaque(16, 1);
        PlaneInfo a = Frames.plane(DrmFormat.XRGB8888, 4, 4, 16, 1);
        PlaneInfo b = Frames.plane(DrmFormat.XRGB8888, 4, 4, 32, 2); // other buffer, padded rows
        ByteBuffer padded = Frames.xrgb(px, 4, 4, 32);
        padded.put(20, (byte) 0x55); // padding bytes differ: not visible
        try (PlaneBuffer p1 = Frames.buffer(a, MemoryKind.SNAPSHOT, Frames.xrgb(px, 4, 4, 16));
                PlaneBuffer p2 = Frames.buffer(b, MemoryKind.SNAPSHOT, padded)) {
            sink.frame(Frames.frame(p1, 1, 0));
            sink.frame(Frames.frame(p1, 2, MS));
            sink.frame(Frames.frame(p2, 3, 2 * MS));
        }
        px[5] ^= 1; // one bit of one pixel
        try (PlaneBuffer p3 = Frames.buffer(a, MemoryKind.SNAPSHOT, Frames.xrgb(px, 4, 4, 16))) {
            sink.frame(Frames.frame(p3, 4, 3 * MS));
        }
        sink.close();
        assertThat(files()).containsExactly("1.png", "4.png");
    }

    @Test
    void liveMemoryWithTheSameKeyIsComparedByContent() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).namePattern("{seq}.png"));
        PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, 8, 2, 32);
        byte[] vram = new byte[64];
        try (PlaneBuffer live = Frames.buffer(info, MemoryKind.LIVE_MAPPING, ByteBuffer.wrap(vram))) {
            sink.frame(Frames.frame(live, 1, 0));
            sink.frame(Frames.frame(live, 2, MS));
            vram[40] = 7; // the guest draws; same buffer, same key
            sink.frame(Frames.frame(live, 3, 2 * MS));
        }
        sink.close();
        assertThat(files()).containsExactly("1.png", "3.png");
    }

    @Test
    void withOnlyWhenChangedOffEveryFrameIsWritten() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).onlyWhenChanged(false)
                .namePattern("{n}.png"));
        try (PlaneBuffer p = Frames.solid(2, 2, 0)) {
            for (int i = 0; i < 3; i++) {
                sink.frame(Frames.frame(p, i + 1, i * MS));
            }
        }
        sink.close();
        assertThat(files()).containsExactly("1.png", "2.png", "3.png");
    }

    @Test
    void retentionKeepsTheNewestFilesOfThisPatternAndDeviceOnly() throws IOException {
        Path unrelated = Files.write(dir.resolve("notes.txt"), new byte[] {1});
        Path otherDevice = Files.write(dir.resolve("sim_gvt-00000001-20200101-000000.000.png"), new byte[] {1});
        Path old1 = Files.write(dir.resolve("sim_mdpy-vga-00000001-20200101-000000.000.png"), new byte[] {1});
        Path old2 = Files.write(dir.resolve("sim_mdpy-vga-00000002-20200101-000001.000.png"), new byte[] {1});
        Files.setLastModifiedTime(old1, FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(old2, FileTime.fromMillis(2_000));
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).keep(3));
        for (int i = 0; i < 4; i++) {
            try (PlaneBuffer p = Frames.solid(2, 2, i)) {
                sink.frame(Frames.frame(p, 10 + i, i * 1000 * MS));
            }
        }
        sink.close();
        assertThat(files()).containsExactlyInAnyOrder("notes.txt", otherDevice.getFileName().toString(),
                "sim_mdpy-vga-00000011-20231114-221321.000.png",
                "sim_mdpy-vga-00000012-20231114-221322.000.png",
                "sim_mdpy-vga-00000013-20231114-221323.000.png");
        assertThat(unrelated).exists();
    }

    @Test
    void aReaderNeverSeesHalfAFileAndNoTemporaryFileIsLeft() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        Path target = dir.resolve("latest.png");
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).namePattern("latest.png"), disk);
        int[] seen = new int[1];
        disk.duringWrite(() -> {
            // while the new file is being written, latest.png is absent or the whole previous picture
            if (Files.exists(target)) {
                try {
                    BufferedImage previous = ImageIO.read(target.toFile());
                    assertThat(previous).isNotNull();
                    seen[0]++;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
        for (int i = 0; i < 3; i++) {
            try (PlaneBuffer p = Frames.solid(64, 64, 0x010101 * (i + 1))) {
                sink.frame(Frames.frame(p, i + 1, i * MS));
            }
        }
        sink.close();
        assertThat(seen[0]).as("writes that found the previous file whole").isEqualTo(2);
        assertThat(files()).containsExactly("latest.png");
        assertThat(disk.operations).containsSubsequence("create .latest.png.tmp", "write .latest.png.tmp",
                "move .latest.png.tmp latest.png");
        BufferedImage last = ImageIO.read(target.toFile());
        assertThat(last.getRGB(0, 0)).isEqualTo(0xff030303);
    }

    @Test
    void fsyncFlushesBeforeTheRename() {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).fsync(true).namePattern("a.png"), disk);
        try (PlaneBuffer p = Frames.solid(2, 2, 0)) {
            sink.frame(Frames.frame(p, 1, 0));
        }
        sink.close();
        assertThat(disk.operations).containsSubsequence("write .a.png.tmp", "sync .a.png.tmp", "move .a.png.tmp a.png");
    }

    @Test
    void withoutAtomicWritesTheFileIsWrittenInPlace() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).atomic(false).namePattern("a.png"), disk);
        try (PlaneBuffer p = Frames.solid(2, 2, 0)) {
            sink.frame(Frames.frame(p, 1, 0));
        }
        sink.close();
        assertThat(disk.operations).containsExactly("delete a.png", "create a.png", "write a.png");
        assertThat(files()).containsExactly("a.png");
    }

    /** A dma-buf that fails the test if anything tries to map it. */
    static final class UnmappableDmaBuf implements DmaBuf {
        int maps;

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public long size() {
            return 4096;
        }

        @Override
        public DmaBuf duplicate() {
            throw new AssertionError("the file sink duplicated a dma-buf");
        }

        @Override
        public MappedMemory mapReadOnly() throws DeviceException {
            maps++;
            throw new AssertionError("the file sink tried to map a dma-buf");
        }

        @Override
        public void beginCpuRead() {
            throw new AssertionError("the file sink synced a dma-buf");
        }

        @Override
        public void endCpuRead() {
            throw new AssertionError("the file sink synced a dma-buf");
        }

        @Override
        public void close() {}
    }

    @Test
    void aBufferTheCpuCannotReadIsNeverMappedAndReportedOnce() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0));
        UnmappableDmaBuf dmaBuf = new UnmappableDmaBuf();
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888, Modifier.LINEAR, 16,
                16, 64, 4096, 0, 0, Optional.empty(), 3);
        for (int i = 0; i < 3; i++) {
            try (PlaneBuffer p = PlaneBuffer.create(info, MemoryKind.DMABUF_FD, null, dmaBuf, null)) {
                sink.frame(Frames.frame(p, i + 1, i * MS));
            }
        }
        assertThat(dmaBuf.maps).isZero();
        assertThat(files()).isEmpty();
        assertThat(log.warnings).hasSize(1);
        assertThat(log.warnings.get(0)).contains("file sink 'png:" + dir + "'", "frame 1", "DMABUF_FD",
                "importer", "never maps");
        try (PlaneBuffer p = Frames.solid(2, 2, 0)) {
            sink.frame(Frames.frame(p, 4, 4 * MS));
        }
        assertThat(files()).hasSize(1);
        try (PlaneBuffer p = PlaneBuffer.create(info, MemoryKind.DMABUF_FD, null, dmaBuf, null)) {
            sink.frame(Frames.frame(p, 5, 5 * MS));
        }
        assertThat(log.warnings).as("reported again after it had recovered").hasSize(2);
        sink.close();
    }

    @Test
    void aTiledBufferIsLeftToThePlaneSource() throws IOException {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0));
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888,
                Modifier.I915_X_TILED, 128, 8, 512, 4096, 0, 0, Optional.empty(), 3);
        try (PlaneBuffer p = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, ByteBuffer.allocate(4096), null, null)) {
            sink.frame(Frames.frame(p, 1, 0));
        }
        sink.close();
        assertThat(files()).isEmpty();
        assertThat(log.warnings).singleElement().asString().contains("I915_X_TILED", "detile");
    }

    @Test
    void noSignalIsLoggedOncePerReason() {
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir));
        sink.noSignal("the guest has not set a mode");
        sink.noSignal("the guest has not set a mode");
        sink.noSignal("device gone");
        sink.close();
        assertThat(log.infos).containsExactly("file sink 'png:" + dir + "': nothing to write: the guest has not set a mode",
                "file sink 'png:" + dir + "': nothing to write: device gone");
    }

    @Test
    void everyLeaseTakenIsGivenBack() {
        long before = Leases.live();
        FileSink sink = sink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0));
        for (int i = 0; i < 3; i++) {
            var cursor = Frames.cursor(new int[] {0xffffffff}, 1, 1, 0, 0, true);
            try (PlaneBuffer p = Frames.solid(2, 2, i)) {
                sink.frame(Frames.frame(p, i + 1, i * MS, cursor));
            } finally {
                cursor.image().orElseThrow().close(); // the pipeline closes the cursor lease after the call
            }
        }
        assertThat(Leases.live()).as("the newest frame is kept for cursor updates").isEqualTo(before + 1);
        sink.detached();
        assertThat(Leases.live()).isEqualTo(before);
        try (PlaneBuffer p = Frames.solid(2, 2, 9)) {
            sink.frame(Frames.frame(p, 9, 9 * MS));
        }
        sink.close();
        assertThat(Leases.live()).isEqualTo(before);
    }
}
