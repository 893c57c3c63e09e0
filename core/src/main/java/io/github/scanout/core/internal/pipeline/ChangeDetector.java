package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.Damage;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Tells whether a plane's buffer shows something new since the last look, and remembers what it
 * saw, in one pass: {@link #update(PlaneBuffer)} is both the change check and the baseline.
 *
 * <p>Identity first: a different buffer (type, {@link PlaneInfo#key()}, CPU readability) is a
 * change. A buffer the CPU cannot read (a dma-buf fd) is judged by identity alone. A readable
 * buffer is read whole on every call: its rows are cut into bands of {@value #BAND_ROWS} rows and
 * each band's CRC-32C is compared with the one kept from the last call and replaced by it. So a
 * change of any size (a whole frame, a glyph, one row of 16 pixels) is seen by the very next call,
 * and nothing is hashed twice: the pass that finds a change has already recorded the new content.
 *
 * <p>Why this cannot miss a change although the buffer may be a live view that the guest keeps
 * writing: what is recorded is exactly what was read, and the caller delivers (a live view or a
 * snapshot taken afterwards) only after the read, or reads the very snapshot it delivered (a
 * forced frame: {@code CaptureLoop}). A write that lands after its band was read
 * differs from the recorded CRC on the next call and is delivered then (at worst twice), if it
 * is still there. A write undone before the next call is not seen, though a sink reading a live
 * view in between may have shown it: so the caller calls at least every poll interval, or every
 * {@code CaptureLoop.LOOK_WAIT_NANOS} while it lets a look wait for its sinks.
 *
 * <p>Why CRC-32C: {@link CRC32C} is a JIT intrinsic (the CPU's CRC instruction, several streams
 * in parallel), which reads a mapping faster than a multiply-xor hash written in Java and needs no
 * copy out of it. A CRC also detects every change of up to 32 consecutive bits for certain; a
 * larger change goes unseen with a probability of 2^-32 per band.
 *
 * <p>Threads: capture thread only.
 */
public final class ChangeDetector {

    /** Rows per hashed band. */
    public static final int BAND_ROWS = 16;

    private final CRC32C crc = new CRC32C();
    private BufferType type;
    private PlaneInfo.BufferKey key;
    /** The plane of the last look: a device hands the same object again for an unchanged answer. */
    private PlaneInfo lastInfo;
    /** How the bytes of {@link #layoutOf} are walked (made once per plane, not per poll). */
    private Layout layout;
    private PlaneInfo layoutOf;
    /**
     * A view of the last buffer read, and that buffer's identity ({@link PlaneBuffer#identity()},
     * which keeps no lease alive): the view is used again only for an open lease of the same
     * buffer, whose memory is then still there.
     */
    private ByteBuffer view;
    private Object viewOf;
    private boolean readable;
    private int[] bands = new int[0];
    private boolean hashed;

    /**
     * Compares {@code buffer} with what the last call saw and records it.
     *
     * @return true when it differs (or when there was no earlier look): deliver it
     */
    public boolean update(PlaneBuffer buffer) {
        PlaneInfo info = buffer.info();
        boolean sameIdentity = sameIdentity(buffer, info);
        if (!readable) {
            hashed = false;
            return !sameIdentity;
        }
        boolean compare = sameIdentity && hashed;
        if (layoutOf != info) {
            layout = Layout.of(info);
            layoutOf = info;
        }
        int n = (layout.rows + BAND_ROWS - 1) / BAND_ROWS;
        if (bands.length != n) {
            bands = new int[n];
            compare = false;
        }
        boolean changed = !compare;
        DmaBuf synced = beginCpuRead(buffer);
        try {
            ByteBuffer pixels;
            if (buffer.identity() == viewOf && buffer.isOpen()) {
                pixels = view; // no new view per poll of a source that hands out one buffer again
            } else {
                pixels = buffer.pixels();
                view = pixels;
                viewOf = buffer.identity();
            }
            for (int band = 0; band < n; band++) {
                int h = hashBand(pixels, layout, band);
                if (h != bands[band]) {
                    changed = true;
                    bands[band] = h;
                }
            }
        } finally {
            endCpuRead(synced);
        }
        hashed = true;
        return changed;
    }

    /**
     * Like {@link #update(PlaneBuffer)}, trusting what the device said changed instead of reading
     * the pixels when it said it ({@link Damage#known()}): the buffer's identity is still
     * compared, its bytes are not hashed, and the hashes kept are dropped (a later
     * {@link #update(PlaneBuffer)} of the same buffer counts as a change).
     *
     * @param damage what the device says changed since the last call
     * @return true when the identity differs or the damage is not empty
     */
    public boolean update(PlaneBuffer buffer, Damage damage) {
        if (!damage.known()) {
            return update(buffer);
        }
        boolean sameIdentity = sameIdentity(buffer, buffer.info());
        hashed = false;
        return !sameIdentity || !damage.isEmpty();
    }

    /** Compares the buffer's identity with the last one's and records it. */
    private boolean sameIdentity(PlaneBuffer buffer, PlaneInfo info) {
        // the key is made only for a plane not seen last time (no garbage per unchanged poll)
        PlaneInfo.BufferKey k = info == lastInfo && key != null ? key : info.key();
        lastInfo = info;
        // identity first: an unchanged plane hands the same key and type again
        boolean same = key != null && (k == key || k.equals(key))
                && (info.bufferType() == type || info.bufferType().equals(type)) && readable == buffer.cpuReadable();
        type = info.bufferType();
        key = k;
        readable = buffer.cpuReadable();
        return same;
    }

    /** Forgets what was seen: the next buffer is a change. */
    public void reset() {
        type = null;
        key = null;
        lastInfo = null;
        view = null;
        viewOf = null;
        layoutOf = null;
        hashed = false;
        Arrays.fill(bands, 0);
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

    /** The CRC-32C of one band's pixel bytes (the padding between rows left out). */
    private int hashBand(ByteBuffer pixels, Layout layout, int band) {
        crc.reset();
        int first = band * BAND_ROWS;
        int last = Math.min(layout.rows, first + BAND_ROWS);
        if (layout.rowBytes == layout.stride) {
            int from = first * layout.stride;
            pixels.limit(from + (last - first) * layout.stride).position(from);
            crc.update(pixels);
        } else {
            for (int r = first; r < last; r++) {
                int from = r * layout.stride;
                pixels.limit(from + layout.rowBytes).position(from);
                crc.update(pixels);
            }
        }
        return (int) crc.getValue();
    }

    /**
     * Starts CPU access (DMA_BUF_IOCTL_SYNC) to a dma-buf mapping; returns the dma-buf to end it
     * on, or null. Best effort: a missed sync only risks reading stale cache lines.
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
}
