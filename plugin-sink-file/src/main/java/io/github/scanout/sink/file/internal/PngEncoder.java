package io.github.scanout.sink.file.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A fast PNG writer for screen frames: 8-bit truecolour, no BufferedImage, no per-frame
 * allocation once warmed up.
 *
 * <p>What it writes:
 * <ul>
 *   <li>colour type 2 (RGB, 3 bytes per pixel) when the image is opaque, colour type 6 (RGBA,
 *       non-premultiplied) when {@link ArgbRows#hasAlpha()} says the alpha channel carries
 *       information (formats with alpha keep their alpha exactly);
 *   <li>one IHDR, one IDAT holding the whole zlib stream, one IEND; CRCs from {@link CRC32};
 *   <li>one row filter for the whole image, chosen for speed: Sub by default (flat areas
 *       become runs of zeros), computed straight from the ARGB ints; never the adaptive
 *       five-way choice per row that makes {@code ImageIO.write} slow;
 *   <li>the zlib stream from {@link RunLengthDeflater} by default (runs plus Huffman-coded
 *       literals, a constant cost per byte), or from {@link Deflater} at a chosen level
 *       ({@link Compression#ZLIB}) for smaller files at a much higher cost on noisy content.
 * </ul>
 *
 * <p>The compressor, the row buffers and the caller's {@link ByteSink} are reused from
 * frame to frame. {@link #encodeInBands} splits one image into bands of rows compressed on
 * several threads at once (for a frame someone is waiting for: a 1080p frame is about 9 ms on
 * one core), joined into the same kind of file. Threads: not thread-safe; one encoder per
 * thread (its bands run on the executor given, and are over when the call returns). Call
 * {@link #close()} to free the native zlib state (a forgotten encoder is freed by the
 * Deflater's cleaner).
 */
public final class PngEncoder implements AutoCloseable {

    /** Row filters (one type for the whole image: choosing per row costs as much as encoding). */
    public enum Filter {
        /** Filter type 0 on every row. */
        NONE,
        /** Filter type 1 (Sub: minus the pixel to the left) on every row. */
        SUB,
        /** Filter type 2 (Up: minus the pixel above) on every row but the first, which uses Sub. */
        UP
    }

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR = 0x49484452;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Filtered rows go to the compressor in batches of about this many bytes (one deflate block each with RUN_LENGTH). */
    private static final int BATCH_BYTES = 256 * 1024;

    /** How the filtered rows are compressed. */
    public enum Compression {
        /**
         * {@link RunLengthDeflater}: runs and dynamic Huffman literals, about the same cost for
         * every kind of content. The default: several times faster than zlib on frames with
         * photo or video regions, for files somewhat larger than zlib level 1.
         */
        RUN_LENGTH,
        /** {@link Deflater} at the configured level: smaller files, slow on noisy regions. */
        ZLIB
    }

    private final Compression compression;
    private final Deflater deflater;
    private final Filter filter;
    private final CRC32 crc = new CRC32();
    private final byte[] ihdr = new byte[13];
    /** The rows encoded on the calling thread: the whole image, or the first band. */
    private final Band main;
    /** The other bands' state, kept from frame to frame ({@link #encodeInBands}). */
    private Band[] helpers = new Band[0];

    /** Run-length compression, Sub filter: the sink's encoder. */
    public PngEncoder() {
        this(Compression.RUN_LENGTH, Deflater.BEST_SPEED, Filter.SUB);
    }

    /**
     * @param compression how rows are compressed
     * @param level zlib level 0 to 9 (used by {@link Compression#ZLIB} only)
     * @param filter the row filter strategy
     */
    public PngEncoder(Compression compression, int level, Filter filter) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("zlib level must be 0 to 9, got " + level);
        }
        this.compression = compression;
        this.deflater = compression == Compression.ZLIB ? new Deflater(level) : null;
        this.filter = filter;
        this.main = new Band(filter, deflater, false);
    }

    /**
     * Encodes a whole PNG file into {@code out} (which is reset first), on the calling thread.
     *
     * @throws IllegalArgumentException when the image is empty
     */
    public void encode(ArgbRows image, ByteSink out) {
        int width = image.width();
        int height = image.height();
        boolean alpha = image.hasAlpha();
        int rowBytes = begin(image, out);
        int idatStart = out.length();
        out.putIntBE(0); // length, patched below
        out.putIntBE(IDAT);
        main.prepare(width, rowBytes);
        if (deflater != null) {
            deflater.reset();
        } else {
            main.runLength.start(out);
        }
        main.rows(image, 0, height, alpha, out);
        if (deflater != null) {
            deflater.finish();
            while (!deflater.finished()) {
                main.drain(out);
            }
        } else {
            main.runLength.finish();
        }
        end(out, idatStart);
    }

    /**
     * Encodes like {@link #encode} into a file an inflater reads the same way, the rows split
     * into up to {@code bands} bands of consecutive rows that are filtered and compressed at the
     * same time: the first on the calling thread, the others handed to {@code helpers}. Each band
     * is a run of deflate blocks ending on a byte boundary (an empty stored block, as zlib's
     * sync flush), so the bands' bytes are joined as they are; the Adler-32 of the whole is
     * combined from the bands' own. A band that no helper has started by the time the calling
     * thread finished its own is encoded by the calling thread: a busy or saturated executor
     * makes this as slow as {@link #encode}, never slower by more than the hand-over.
     *
     * <p>Only {@link Compression#RUN_LENGTH} is split ({@link Compression#ZLIB} and images
     * smaller than two batches are encoded as by {@link #encode}). {@code image} must allow
     * {@link ArgbRows#row} for different rows from several threads at once. Allocates a few
     * small objects per call (the hand-over), and per band the same reused buffers as the
     * encoder's own.
     *
     * @param bands the most bands (1 encodes as {@link #encode})
     * @param executor runs the bands after the first (such as {@link java.util.concurrent.ForkJoinPool#commonPool()})
     * @throws IllegalArgumentException when the image is empty or {@code bands < 1}
     */
    public void encodeInBands(ArgbRows image, ByteSink out, int bands, Executor executor) {
        if (bands < 1) {
            throw new IllegalArgumentException("bands must be at least 1, got " + bands);
        }
        int width = image.width();
        int height = image.height();
        boolean alpha = image.hasAlpha();
        long imageBytes = (long) height * (1 + (long) width * (alpha ? 4 : 3));
        int n = (int) Math.min(Math.min(bands, height), imageBytes / BATCH_BYTES);
        if (n <= 1 || deflater != null) {
            encode(image, out);
            return;
        }
        int rowBytes = begin(image, out);
        int idatStart = out.length();
        out.putIntBE(0); // length, patched below
        out.putIntBE(IDAT);
        out.putByte(RunLengthDeflater.ZLIB_HEADER >>> 8);
        out.putByte(RunLengthDeflater.ZLIB_HEADER & 0xff);
        if (this.helpers.length < n - 1) {
            Band[] more = Arrays.copyOf(this.helpers, n - 1);
            for (int k = this.helpers.length; k < more.length; k++) {
                more[k] = new Band(filter, null, true);
            }
            this.helpers = more;
        }
        HandOver[] tasks = new HandOver[n - 1];
        for (int k = 1; k < n; k++) {
            Band b = this.helpers[k - 1];
            b.prepare(width, rowBytes);
            int y0 = bandStart(k, n, height);
            int y1 = bandStart(k + 1, n, height);
            tasks[k - 1] = new HandOver(() -> b.part(image, y0, y1, alpha, b.own));
            try {
                executor.execute(tasks[k - 1]);
            } catch (RejectedExecutionException e) {
                // the calling thread encodes it below
            }
        }
        main.prepare(width, rowBytes);
        main.part(image, 0, bandStart(1, n, height), alpha, out);
        int adler = main.runLength.adler();
        // the bands no helper has started yet, from the last back (helpers take them from the
        // first on): a helper slowed by another thread leaves more of the image to this one
        for (int k = n - 1; k >= 1; k--) {
            tasks[k - 1].run();
        }
        for (int k = 1; k < n; k++) {
            tasks[k - 1].finish();
            Band b = this.helpers[k - 1];
            out.put(b.own.array(), 0, b.own.length());
            adler = RunLengthDeflater.combineAdler(adler, b.runLength.adler(), b.runLength.input());
        }
        out.put(RunLengthDeflater.FINAL_EMPTY_BLOCK, 0, RunLengthDeflater.FINAL_EMPTY_BLOCK.length);
        out.putIntBE(adler);
        end(out, idatStart);
    }

    /** The most bands {@link #bandsPerCore} asks for. */
    static final int MAX_BANDS = 4;

    /**
     * The bands {@link #encodeInBands} is worth asking for on this machine: two per core, so that
     * the calling thread takes over what a helper slowed by another thread has not started, at
     * most {@value #MAX_BANDS} (a 1080p frame is about 9 ms on one core; beyond 4 bands the
     * hand-over and the copy of the bands' bytes eat the gain).
     */
    public static int bandsPerCore() {
        return Math.min(MAX_BANDS, 2 * Runtime.getRuntime().availableProcessors());
    }

    /** The first row of band {@code k} of {@code n} (the rows split as evenly as they go). */
    private static int bandStart(int k, int n, int height) {
        return (int) ((long) height * k / n);
    }

    /** Checks the size, resets {@code out}, writes the signature and IHDR; returns the bytes per row. */
    private int begin(ArgbRows image, ByteSink out) {
        int width = image.width();
        int height = image.height();
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cannot encode an empty image " + width + "x" + height);
        }
        boolean alpha = image.hasAlpha();
        int rowBytes = Math.multiplyExact(width, alpha ? 4 : 3);
        out.reset();
        out.ensure(Math.max(4096, (int) Math.min(Integer.MAX_VALUE / 2, (long) rowBytes * height / 4)));
        out.put(SIGNATURE, 0, SIGNATURE.length);
        writeHeader(out, width, height, alpha);
        return rowBytes;
    }

    /** Patches the IDAT length that starts at {@code idatStart}, appends its CRC and IEND. */
    private void end(ByteSink out, int idatStart) {
        int dataLength = out.length() - idatStart - 8;
        out.setIntBE(idatStart, dataLength);
        crc.reset();
        crc.update(out.array(), idatStart + 4, dataLength + 4);
        out.putIntBE((int) crc.getValue());
        chunk(out, IEND, null, 0);
    }

    private void writeHeader(ByteSink out, int width, int height, boolean alpha) {
        putBE(ihdr, 0, width);
        putBE(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte) (alpha ? 6 : 2); // colour type: RGBA or RGB
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0
        ihdr[12] = 0; // no interlace
        chunk(out, IHDR, ihdr, ihdr.length);
    }

    private void chunk(ByteSink out, int type, byte[] data, int length) {
        int start = out.length();
        out.putIntBE(length);
        out.putIntBE(type);
        if (length > 0) {
            out.put(data, 0, length);
        }
        crc.reset();
        crc.update(out.array(), start + 4, length + 4);
        out.putIntBE((int) crc.getValue());
    }

    /**
     * A band's worth of state, reused from frame to frame: the row buffers, the batch of
     * filtered rows, the compressor and (for a helper band) the buffer its part goes to.
     * Confined to one thread during one call.
     */
    private static final class Band {
        final Filter filter;
        final Deflater zlib;
        final RunLengthDeflater runLength;
        /** Where a helper band's part goes (null for the calling thread's band, which writes into the file). */
        final ByteSink own;
        int[] argb = new int[0];
        int[] above = new int[0];
        byte[] batch = new byte[0];

        Band(Filter filter, Deflater zlib, boolean helper) {
            this.filter = filter;
            this.zlib = zlib;
            this.runLength = zlib == null ? new RunLengthDeflater() : null;
            this.own = helper ? new ByteSink(4096) : null;
        }

        void prepare(int width, int rowBytes) {
            if (argb.length < width) {
                argb = new int[width];
                above = new int[width];
            }
            int perBatch = Math.max(1, BATCH_BYTES / (rowBytes + 1));
            int batchBytes = perBatch * (rowBytes + 1) + 4; // + 4: the last pixel's 4-byte store
            if (batch.length < batchBytes) {
                batch = new byte[batchBytes];
            }
        }

        /** Rows {@code [y0, y1)} as one part of a run-length stream in {@code into} ({@link RunLengthDeflater#startPart}). */
        void part(ArgbRows image, int y0, int y1, boolean alpha, ByteSink into) {
            if (into == own) {
                // sized as encode() sizes a whole file (a quarter of the raw rows): grown by
                // doubling from small, the copies cost more than the band's compression saves
                own.reset();
                own.ensure((int) Math.min(Integer.MAX_VALUE / 2, (long) (y1 - y0) * (1 + image.width() * (alpha ? 4 : 3)) / 4));
            }
            runLength.startPart(into);
            rows(image, y0, y1, alpha, into);
            runLength.endPart();
        }

        /** Filters rows {@code [y0, y1)} into batches and compresses each. */
        void rows(ArgbRows image, int y0, int y1, boolean alpha, ByteSink out) {
            int width = image.width();
            int rowBytes = width * (alpha ? 4 : 3);
            if (filter == Filter.UP && y0 > 0) {
                image.row(y0 - 1, above);
            }
            int filled = 0;
            for (int y = y0; y < y1; y++) {
                if (filled + 1 + rowBytes + 4 > batch.length) {
                    compress(filled, out);
                    filled = 0;
                }
                image.row(y, argb);
                filled = filterRow(y, width, alpha, filled);
                int[] t = above;
                above = argb;
                argb = t;
            }
            compress(filled, out);
        }

        /**
         * Appends the filter type byte and the filtered row, computed straight from the ARGB ints,
         * to the batch; returns the new fill.
         *
         * <p>Per pixel: the four channel differences at once with a SWAR byte-wise subtraction
         * (each byte lane modulo 256, as PNG's filters are defined), then one 4-byte store of the
         * lanes in R, G, B(, A) order. For RGB the store's fourth byte is overwritten by the next
         * pixel (the batch keeps 4 bytes of slack).
         */
        private int filterRow(int y, int width, boolean alpha, int at) {
            byte[] b = batch;
            int[] p = argb;
            int o = at + 1;
            int step = alpha ? 4 : 3;
            if (filter == Filter.UP && y > 0) {
                b[at] = 2;
                int[] q = above;
                for (int x = 0; x < width; x++, o += step) {
                    INTS.set(b, o, order(subtractBytes(p[x], q[x]), alpha));
                }
                return o;
            }
            boolean sub = filter != Filter.NONE;
            b[at] = (byte) (sub ? 1 : 0);
            int left = 0; // the pixel to the left; 0 before the first
            for (int x = 0; x < width; x++, o += step) {
                int c = p[x];
                INTS.set(b, o, order(subtractBytes(c, left), alpha));
                left = sub ? c : 0;
            }
            return o;
        }

        private void compress(int length, ByteSink out) {
            if (length == 0) {
                return;
            }
            if (zlib == null) {
                runLength.block(batch, 0, length);
                return;
            }
            zlib.setInput(batch, 0, length);
            while (!zlib.needsInput()) {
                drain(out);
            }
        }

        void drain(ByteSink out) {
            if (out.free() < 16 * 1024) {
                out.ensure(64 * 1024);
            }
            int n = zlib.deflate(out.array(), out.length(), out.free(), Deflater.NO_FLUSH);
            out.advance(n);
        }
    }

    /**
     * A band handed to a helper: run once, by the helper or by the calling thread, whichever
     * claims it first; {@link #finish} waits for it and rethrows what it threw.
     */
    private static final class HandOver implements Runnable {
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private final Runnable work;
        private volatile Throwable failure;

        HandOver(Runnable work) {
            this.work = work;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                work.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }

        /** Runs the band here unless a helper has it; waits for it (uninterruptibly: it takes milliseconds). */
        void finish() {
            run();
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** {@code a - b} in each of the four byte lanes, modulo 256, without borrows between lanes. */
    static int subtractBytes(int a, int b) {
        return ((a | 0x80808080) - (b & 0x7f7f7f7f)) ^ ((a ^ ~b) & 0x80808080);
    }

    /**
     * The int whose little-endian bytes are R, G, B, A for an {@code 0xAARRGGBB} value (RGB
     * images use the first three).
     */
    private static int order(int argb, boolean alpha) {
        int bgra = Integer.reverseBytes(argb); // 0xBBGGRRAA: little-endian bytes A, R, G, B
        return alpha ? Integer.rotateRight(bgra, 8) : bgra >>> 8;
    }

    private static void putBE(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** Frees the zlib state. Idempotent. */
    @Override
    public void close() {
        if (deflater != null) {
            deflater.end();
        }
    }

    /** The compression in use. */
    public Compression compression() {
        return compression;
    }
}
