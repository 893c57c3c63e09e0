package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw stream re-read by an independent reader written from the documented header. */
class RawStreamTest {
    @TempDir
    Path dir;

    /** One frame as read back. */
    record RawFrame(String fourcc, int width, int height, int stride, long sequence, long nanos, long wallMillis,
            int modifier, byte[] payload) {}

    /** Reads a raw stream following the format in RawStream's documentation. */
    static List<RawFrame> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<RawFrame> frames = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            byte[] magic = new byte[4];
            b.get(magic);
            assertThat(new String(magic, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("SCRF");
            assertThat(b.getShort()).as("version").isEqualTo((short) 1);
            int headerLength = b.getShort();
            assertThat(headerLength).isEqualTo(64);
            byte[] fourcc = new byte[4];
            b.get(fourcc);
            int width = b.getInt();
            int height = b.getInt();
            int stride = b.getInt();
            long sequence = b.getLong();
            long nanos = b.getLong();
            long wall = b.getLong();
            long payload = b.getLong();
            long modifier = b.getLong();
            assertThat(payload).isEqualTo((long) stride * height);
            b.position(start + headerLength);
            byte[] data = new byte[(int) payload];
            b.get(data);
            frames.add(new RawFrame(new String(fourcc, java.nio.charset.StandardCharsets.US_ASCII), width, height,
                    stride, sequence, nanos, wall, (int) modifier, data));
        }
        return frames;
    }

    /** The visible rows of a plane, padding dropped. */
    static byte[] rows(PlaneInfo info, ByteBuffer bytes) {
        int rowBytes = (int) info.rowBytes();
        byte[] out = new byte[rowBytes * info.height()];
        for (int y = 0; y < info.height(); y++) {
            bytes.get(y * info.stride(), out, y * rowBytes, rowBytes);
        }
        return out;
    }

    @Test
    void framesOfAnyFormatAndSizeAreReReadExactly() throws IOException {
        Path file = dir.resolve("capture.raw");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, file).build());
        PlaneInfo a = Frames.plane(DrmFormat.XRGB8888, 33, 7, 33 * 4 + 20);
        PlaneInfo b = Frames.plane(DrmFormat.YUYV, 9, 5, 24); // odd width: rows of 20 bytes
        PlaneInfo c = Frames.plane(DrmFormat.RGB565, 16, 3, 32);
        ByteBuffer ba = Frames.randomBytes(a, 1);
        ByteBuffer bb = Frames.randomBytes(b, 2);
        ByteBuffer bc = Frames.randomBytes(c, 3);
        try (PlaneBuffer pa = Frames.buffer(a, MemoryKind.LIVE_MAPPING, ba);
                PlaneBuffer pb = Frames.buffer(b, MemoryKind.SNAPSHOT, bb);
                PlaneBuffer pc = Frames.buffer(c, MemoryKind.PREAD_COPY, bc)) {
            sink.frame(Frames.frame(pa, 1, 1_000));
            sink.frame(Frames.frame(pb, 2, 2_000));
            sink.frame(Frames.frame(pc, 3, 3_000));
        }
        sink.close();

        List<RawFrame> frames = read(file);
        assertThat(frames).hasSize(3);
        RawFrame f = frames.get(0);
        assertThat(f.fourcc()).isEqualTo("XR24");
        assertThat(f.width()).isEqualTo(33);
        assertThat(f.height()).isEqualTo(7);
        assertThat(f.stride()).isEqualTo(33 * 4);
        assertThat(f.sequence()).isEqualTo(1);
        assertThat(f.nanos()).isEqualTo(1_000);
        assertThat(f.wallMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(f.modifier()).isZero();
        assertThat(f.payload()).isEqualTo(rows(a, ba));
        assertThat(frames.get(1).fourcc()).isEqualTo("YUYV");
        assertThat(frames.get(1).stride()).isEqualTo(20);
        assertThat(frames.get(1).payload()).isEqualTo(rows(b, bb));
        assertThat(frames.get(2).fourcc()).isEqualTo("RG16");
        assertThat(frames.get(2).payload()).isEqualTo(rows(c, bc));
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path file = dir.resolve("capture.raw");
        Files.write(file, new byte[] {1, 2, 3});
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, file).build());
        try (PlaneBuffer p = Frames.solid(4, 2, 0x123456)) {
            sink.frame(Frames.frame(p, 1, 0));
        }
        assertThat(sink.target()).isEqualTo(dir.resolve("capture-2.raw"));
        sink.close();
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(read(dir.resolve("capture-2.raw"))).hasSize(1);
    }

    @Test
    void everyFrameIsWrittenByDefaultButUnchangedOnesAreSkipped() throws IOException {
        Path file = dir.resolve("capture.raw");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.RAW, file).build());
        PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, 8, 8, 32);
        byte[] memory = new byte[(int) info.requiredBytes()];
        ByteBuffer live = ByteBuffer.wrap(memory);
        try (PlaneBuffer p = Frames.buffer(info, MemoryKind.LIVE_MAPPING, live)) {
            for (int i = 0; i < 10; i++) {
                if (i % 2 == 0) {
                    memory[i] = (byte) (i + 1); // the guest draws on every other frame
                }
                sink.frame(Frames.frame(p, i + 1, i * 1_000_000L));
            }
        }
        sink.close();
        List<RawFrame> frames = read(file);
        assertThat(frames).extracting(RawFrame::sequence).containsExactly(1L, 3L, 5L, 7L, 9L);
        assertThat(frames.get(4).payload()[8]).isEqualTo((byte) 9);
        assertThat(Arrays.copyOf(frames.get(0).payload(), 2)).containsExactly(1, 0);
    }
}
