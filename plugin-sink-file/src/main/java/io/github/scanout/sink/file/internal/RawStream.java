package io.github.scanout.sink.file.internal;

import io.github.scanout.api.PlaneInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A raw stream: frames appended to one file, each a 64-byte header followed by the pixel rows
 * exactly as the plane holds them (its own format; no conversion, no cursor).
 *
 * <p>Frame header, all fields little-endian:
 * <pre>
 * offset size field
 *  0     4    magic: the ASCII bytes "SCRF"
 *  4     2    version: 1
 *  6     2    header length in bytes: 64 (a reader skips fields it does not know)
 *  8     4    DRM fourcc of the payload, for example "XR24" (0x34325258)
 * 12     4    width in pixels
 * 16     4    height in rows
 * 20     4    stride of the payload: bytes per row, = width x bytes per pixel
 *             (packed 4:2:2 rounds odd widths up to a pair); the plane's own padding is dropped
 * 24     8    sequence number of the frame on its device
 * 32     8    capture time in ns ({@code System.nanoTime()}: monotonic, compare within one file)
 * 40     8    capture wall-clock time in ms since 1970-01-01 UTC
 * 48     8    payload length in bytes: stride x height
 * 56     8    DRM format modifier of the payload: 0 (linear)
 * 64     ...  payload: height rows of stride bytes, top row first
 * </pre>
 * Frames may change format or size from one to the next. A frame is appended whole or not at
 * all ({@link StreamFile}).
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class RawStream implements Output {
    static final int MAGIC = 'S' | 'C' << 8 | 'R' << 16 | 'F' << 24;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 64;

    private final StreamFile file;
    private byte[] staging = new byte[0];

    RawStream(StreamFile file) {
        this.file = file;
    }

    @Override
    public long write(Shot shot) throws IOException {
        PlaneInfo info = shot.info();
        int rowBytes = Math.toIntExact(info.rowBytes());
        long payload = (long) rowBytes * info.height();
        int total = Math.toIntExact(HEADER_BYTES + payload);
        if (staging.length < total) {
            staging = new byte[total];
        }
        ByteBuffer b = ByteBuffer.wrap(staging, 0, total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC)
                .putShort((short) VERSION)
                .putShort((short) HEADER_BYTES)
                .putInt(info.format().fourcc())
                .putInt(info.width())
                .putInt(info.height())
                .putInt(rowBytes)
                .putLong(shot.sequence())
                .putLong(shot.captureNanos())
                .putLong(shot.wallMillis())
                .putLong(payload)
                .putLong(0L);
        ByteBuffer src = shot.pixels();
        for (int y = 0, at = HEADER_BYTES; y < info.height(); y++, at += rowBytes) {
            src.get(Math.toIntExact((long) y * info.stride()), staging, at, rowBytes);
        }
        file.ensureOpen(total);
        file.append(ByteBuffer.wrap(staging, 0, total));
        return total;
    }

    @Override
    public Path target() {
        return file.current();
    }

    @Override
    public void release() {
        file.release();
    }
}
