package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tells whether a plane's buffer shows something new since the content last
 * {@linkplain #baseline(PlaneBuffer) delivered}.
 *
 * <p>Identity first: a different buffer (type, {@link PlaneInfo#key()}) is a change. A buffer the
 * CPU cannot read (a dma-buf fd) is judged by identity alone. A readable buffer with the same
 * identity is compared by a <em>sampled content hash</em>: its rows are cut into
 * {@value #PHASES} interleaved phases (phase {@code p} holds rows {@code p, p+8, p+16...}), and a
 * 64-bit hash per phase is kept from the last delivered content. Each tick hashes the next
 * phase or phases (whole rows, read sequentially) and compares. So a change at least
 * {@value #PHASES} rows tall (a glyph, a moving window, video) is seen at once, and a smaller one
 * within {@code PHASES / phasesPerTick} ticks; the caller picks phasesPerTick so the whole frame
 * is covered about every 140 ms (one phase per tick at 60 Hz: an eighth of the frame's bytes read,
 * against a full read and a full write for a copy). When a change is found the caller delivers
 * the buffer and calls {@link #baseline} with what it delivered, which hashes every phase in one
 * sequential pass, so no change is ever missed and none is reported twice.
 *
 * <p>Threads: capture thread only.
 */
public final class ChangeDetector {

    /** Row phases: rows {@code p, p + PHASES, p + 2 * PHASES...} form phase {@code p}. */
    public static final int PHASES = 8;

    private static final long K = 0x9E3779B97F4A7C15L;
    /** Little-endian longs out of a byte array: the values {@code getLong} of the (little-endian) pixels gives. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BufferType type;
    private PlaneInfo.BufferKey key;
    private boolean readable;
    private final long[] hashes = new long[PHASES];
    private boolean hashed;
    private int nextPhase;
    /**
     * One row, copied out of the buffer in bulk before it is hashed: a bulk copy plus hashing an
     * array is about 1.5 times as fast as {@code getLong} on the mapped buffer (bench, 1080p).
     */
    private byte[] rowCopy = new byte[0];

    /**
     * Whether {@code buffer} differs from the last baseline. Does not change the baseline when it
     * reports a change (the caller delivers and calls {@link #baseline}); when it reports none, the
     * phases it looked at are known to be unchanged.
     *
     * @param phasesPerTick how many phases to hash (1 to {@value #PHASES})
     */
    public boolean changed(PlaneBuffer buffer, int phasesPerTick) {
        PlaneInfo info = buffer.info();
        if (key == null || !info.key().equals(key) || !info.bufferType().equals(type)
                || readable != buffer.cpuReadable()) {
            return true;
        }
        if (!readable) {
            return false;
        }
        if (!hashed) {
            return true;
        }
        int n = Math.max(1, Math.min(PHASES, phasesPerTick));
        DmaBuf synced = beginCpuRead(buffer);
        try {
            ByteBuffer pixels = buffer.pixels();
            Layout layout = Layout.of(info);
            for (int i = 0; i < n; i++) {
                int phase = (nextPhase + i) % PHASES;
                if (hashPhase(pixels, layout, phase) != hashes[phase]) {
                    return true;
                }
            }
            nextPhase = (nextPhase + n) % PHASES;
            return false;
        } finally {
            endCpuRead(synced);
        }
    }

    /** Records {@code delivered} as the content sinks have now: its identity and, if readable, every phase's hash. */
    public void baseline(PlaneBuffer delivered) {
        PlaneInfo info = delivered.info();
        type = info.bufferType();
        key = info.key();
        readable = delivered.cpuReadable();
        hashed = false;
        if (readable) {
            DmaBuf synced = beginCpuRead(delivered);
            try {
                hashAll(delivered.pixels(), Layout.of(info), hashes);
            } finally {
                endCpuRead(synced);
            }
            hashed = true;
        }
    }

    /** Forgets the baseline: the next buffer is a change. */
    public void reset() {
        type = null;
        key = null;
        hashed = false;
        Arrays.fill(hashes, 0);
        nextPhase = 0;
    }

    /** How a buffer's bytes are walked: {@code rows} rows of {@code rowBytes} bytes, {@code stride} apart. */
    record Layout(int rows, int rowBytes, int stride) {
        static Layout of(PlaneInfo info) {
            if (info.modifier().isLinear()) {
                return new Layout(info.height(), Math.toIntExact(info.rowBytes()), info.stride());
            }
            long required = info.requiredBytes();
            return new Layout(Math.toIntExact(required / info.stride()), info.stride(), info.stride());
        }
    }

    /**
     * Starts CPU access (DMA_BUF_IOCTL_SYNC) to a dma-buf mapping; returns the dma-buf to end it
     * on, or null. Best effort: the hash is a heuristic, a missed sync only risks reading stale
     * cache lines.
     */
    private static DmaBuf beginCpuRead(PlaneBuffer buffer) {
        if (buffer.memory() != MemoryKind.DMABUF_MAPPING) {
            return null;
        }
        Optional<DmaBuf> dmaBuf = buffer.dmaBuf();
        if (dmaBuf.isEmpty()) {
            return null;
        }
        try {
            dmaBuf.get().beginCpuRead();
            return dmaBuf.get();
        } catch (Exception e) {
            return null;
        }
    }

    private static void endCpuRead(DmaBuf synced) {
        if (synced != null) {
            try {
                synced.endCpuRead();
            } catch (Exception e) {
                // best effort, as above
            }
        }
    }

    long hashPhase(ByteBuffer pixels, Layout layout, int phase) {
        long h = phase + 1;
        for (int r = phase; r < layout.rows; r += PHASES) {
            h = row(pixels, r * layout.stride, layout.rowBytes, h);
        }
        return finish(h);
    }

    void hashAll(ByteBuffer pixels, Layout layout, long[] out) {
        for (int p = 0; p < PHASES; p++) {
            out[p] = p + 1;
        }
        for (int r = 0; r < layout.rows; r++) {
            int p = r % PHASES;
            out[p] = row(pixels, r * layout.stride, layout.rowBytes, out[p]);
        }
        for (int p = 0; p < PHASES; p++) {
            out[p] = finish(out[p]);
        }
    }

    /**
     * Folds one row into {@code h}: four independent multiply-xor lanes (so the multiplies overlap
     * instead of waiting on each other), then the tail bytes, then the lanes into one value.
     */
    private long row(ByteBuffer pixels, int offset, int length, long h) {
        if (rowCopy.length < length) {
            rowCopy = new byte[length];
        }
        byte[] r = rowCopy;
        pixels.get(offset, r, 0, length);
        long a = h;
        long b = h ^ 0x632BE59BD9B4E019L;
        long c = h + 0x8CB92BA72F3D8DD7L;
        long d = ~h;
        int i = 0;
        for (; i + 32 <= length; i += 32) {
            a = (a ^ (long) LONGS.get(r, i)) * K;
            b = (b ^ (long) LONGS.get(r, i + 8)) * K;
            c = (c ^ (long) LONGS.get(r, i + 16)) * K;
            d = (d ^ (long) LONGS.get(r, i + 24)) * K;
        }
        for (; i + 8 <= length; i += 8) {
            a = (a ^ (long) LONGS.get(r, i)) * K;
        }
        for (; i < length; i++) {
            b = (b ^ r[i]) * K;
        }
        return ((Long.rotateLeft(a, 7) ^ Long.rotateLeft(b, 19)) + (Long.rotateLeft(c, 31) ^ Long.rotateLeft(d, 43))) * K;
    }

    private static long finish(long h) {
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }
}
