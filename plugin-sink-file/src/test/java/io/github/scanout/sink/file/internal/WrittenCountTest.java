package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.SinkOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file sink says it wrote ({@link FileSink#output()}) is what is on disk: frames and
 * bytes of whole files and whole stream frames only; frames that a full or read-only disk refused
 * are received but not written, and the last error says why until a write succeeds again.
 */
class WrittenCountTest {
    @TempDir
    Path dir;

    final RecordingLog log = new RecordingLog();
    final FakeClock clock = new FakeClock();
    long sequence;

    void frame(FileSink sink) {
        PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, 16, 8, 64);
        try (PlaneBuffer p = Frames.buffer(info, MemoryKind.SNAPSHOT, Frames.randomBytes(info, ++sequence))) {
            sink.frame(Frames.frame(p, sequence, clock.now()));
        }
        clock.advanceMillis(2000); // past any back-off
    }

    long bytesOnDisk(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void pngFramesAndBytesAreThoseOnDisk() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).onlyWhenChanged(false)
                .build(), disk, log, clock);
        assertThat(sink.output()).isEqualTo(SinkOutput.NONE);
        for (int i = 0; i < 3; i++) {
            frame(sink);
        }
        assertThat(sink.output().frames()).isEqualTo(3);
        assertThat(sink.output().bytes()).isEqualTo(bytesOnDisk(dir)).isPositive();
        assertThat(sink.output().lastError()).isEmpty();

        disk.readOnly(true);
        frame(sink);
        frame(sink);
        SinkOutput failing = sink.output();
        assertThat(failing.frames()).as("refused frames are not written").isEqualTo(3);
        assertThat(failing.bytes()).isEqualTo(bytesOnDisk(dir));
        assertThat(failing.lastError()).isEqualTo("cannot write to " + dir + ": Read-only file system");

        disk.readOnly(false);
        frame(sink);
        assertThat(sink.output().frames()).isEqualTo(4);
        assertThat(sink.output().lastError()).as("cleared by a write that succeeds").isEmpty();
        sink.close();
    }

    @Test
    void aStreamCountsWholeFramesAndItsHeaderOnly() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        Path file = dir.resolve("cap.y4m");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, file).maxFps(0).onlyWhenChanged(false)
                .build(), disk, log, clock);
        frame(sink);
        frame(sink);
        long twoFrames = Files.size(file);
        disk.quota(10); // the next frame does not fit: cut back, not counted
        frame(sink);
        assertThat(sink.output().frames()).isEqualTo(2);
        assertThat(sink.output().bytes()).isEqualTo(twoFrames).isEqualTo(Files.size(file));
        assertThat(sink.output().lastError()).startsWith("cannot write to " + file + ": ");
        sink.close();
    }
}
