package io.github.scanout.sink.file.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950 around RFC 1951 deflate) written for filtered screen rows, at a
 * roughly constant cost per byte whatever the content.
 *
 * <p>Why not {@link java.util.zip.Deflater}: zlib's fastest level spends about 18 ns per byte
 * on data it cannot match (a video or photo region of the screen: 55 MB/s measured on this
 * project's machines), so one such region makes a 1080p snapshot take 25 ms or more. Filtered
 * screen content is mostly runs of one byte value (flat areas become runs of zero under the
 * Sub and Up filters) and small differences; this encoder keeps exactly those two ideas:
 * <ul>
 *   <li>a run of 4 or more equal bytes becomes the byte plus back-references of distance 1
 *       (length 3 to 258 each);
 *   <li>everything else is a literal, Huffman-coded with a dynamic code built per block from
 *       the block's symbol counts (every fourth literal sampled), limited to 10 bits.
 * </ul>
 * No hash tables, no match search: literals are found eight bytes at a time and cost a table
 * look-up and a few shifts, two per bit-buffer update. The output is a standard zlib stream
 * with complete Huffman codes that any inflater decodes (ImageIO, libpng, browsers). It is
 * larger than zlib level 1 on text and UI detail (no matches at other distances), by about
 * 17% on the benchmark frame, and several times faster on photo or video regions.
 *
 * <p>Use: {@link #start}, any number of {@link #block} calls (one dynamic block each), then
 * {@link #finish}; or, for a stream compressed in parts on several threads (one deflater each),
 * {@link #startPart}, blocks, {@link #endPart} per part, joined as {@link #startPart} says.
 * Threads: not thread-safe; reuses its arrays from stream to stream.
 */
final class RunLengthDeflater {
    private static final int MAX_MATCH = 258;
    private static final int LITLEN_SYMBOLS = 286;
    private static final int END_OF_BLOCK = 256;
    /**
     * Longest literal/length code. Deflate allows 15; 10 keeps every token (code, length extra
     * bits and the 1-bit distance) within 16 bits, so two tokens go into the bit buffer at once.
     * Only symbols rarer than 1 in 1024 pay for it.
     */
    private static final int MAX_BITS = 10;
    private static final int MAX_CL_BITS = 7;
    private static final int TOKEN_LENGTH_SHIFT = 16;
    private static final int TOKEN_BITS_MASK = (1 << TOKEN_LENGTH_SHIFT) - 1;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** The order in which code-length code lengths are sent (RFC 1951 3.2.7). */
    private static final int[] CL_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    /** For each match length 3..258: symbol, extra bits, extra value. */
    private static final short[] LEN_SYMBOL = new short[MAX_MATCH + 1];
    private static final byte[] LEN_EXTRA_BITS = new byte[MAX_MATCH + 1];
    private static final short[] LEN_EXTRA = new short[MAX_MATCH + 1];

    static {
        int[] base = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
            163, 195, 227, 258};
        int[] extra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        for (int s = 0; s < base.length; s++) {
            // 227..257 use symbol 284; 258 has its own symbol 285
            int end = s + 1 < base.length ? base[s + 1] : MAX_MATCH + 1;
            for (int len = base[s]; len < end; len++) {
                LEN_SYMBOL[len] = (short) (257 + s);
                LEN_EXTRA_BITS[len] = (byte) extra[s];
                LEN_EXTRA[len] = (short) (len - base[s]);
            }
        }
    }

    /** The zlib header this encoder writes: deflate, 32K window, fastest (0x78 0x01). */
    static final int ZLIB_HEADER = 0x7801;
    /**
     * A final deflate block with no data on a byte boundary: BFINAL 1, fixed Huffman, the
     * end-of-block code 0000000, padding.
     */
    static final byte[] FINAL_EMPTY_BLOCK = {0x03, 0x00};
    private static final int ADLER_BASE = 65521;

    /**
     * The Adler-32 of the input so far (RFC 1950), kept here rather than in an {@link Adler32}
     * over every byte: a run's share is a formula ({@link #checksum}), so a frame of flat areas
     * costs almost nothing, where the {@code Adler32} pass over all of it was a fifth of a
     * first PNG's encoding in the hot-swap profile (code run that seldom is not compiled with the
     * JIT's intrinsic, and zlib's C loop reads every byte). s1: 1 plus the bytes; s2: the sum of
     * s1 after each byte; both modulo 65521.
     */
    private int adlerS1 = 1;
    private int adlerS2;
    /** The Adler-32 of a long stretch of literals (the intrinsic once compiled), folded in with {@link #combineAdler}. */
    private final Adler32 literals = new Adler32();
    private long input;
    /** The current block as (literal count, run length) pairs; see {@link #scan}. */
    private int[] spans = new int[0];
    private final int[] litFreq = new int[LITLEN_SYMBOLS];
    private final int[] litLen = new int[LITLEN_SYMBOLS];
    private final int[] litCode = new int[LITLEN_SYMBOLS];
    private final int[] distLen = new int[30];
    private final int[] distCode = new int[30];
    private final int[] tokenBits = new int[256 + MAX_MATCH + 1];
    private final HuffmanBuilder huffman = new HuffmanBuilder();
    private final BitWriter bits = new BitWriter();
    private long matches;

    /** Starts a zlib stream in {@code out}: the 2-byte header (deflate, 32K window, fastest). */
    void start(ByteSink out) {
        out.putByte(ZLIB_HEADER >>> 8);
        out.putByte(ZLIB_HEADER & 0xff);
        startPart(out);
    }

    /**
     * Starts one part of a zlib stream that is compressed in parts ({@link PngEncoder}'s bands):
     * deflate blocks only, no header; end it with {@link #endPart}. The parts, concatenated in
     * order after {@link #ZLIB_HEADER} and followed by {@link #FINAL_EMPTY_BLOCK} and the
     * Adler-32 of all input ({@link #combineAdler}), are one zlib stream.
     */
    void startPart(ByteSink out) {
        adlerS1 = 1;
        adlerS2 = 0;
        input = 0;
        bits.begin(out);
    }

    /**
     * Ends a part on a byte boundary with an empty stored block (what zlib's sync flush writes:
     * 3 header bits, padding, {@code 00 00 FF FF}), so that the next part's bytes can follow it.
     */
    void endPart() {
        bits.put(0, 1); // BFINAL = 0
        bits.put(0, 2); // BTYPE = 00, stored
        bits.alignAndFlush();
        ByteSink out = bits.out();
        out.putByte(0x00); // LEN = 0
        out.putByte(0x00);
        out.putByte(0xff); // NLEN = ~LEN
        out.putByte(0xff);
    }

    /** The Adler-32 of the input since {@link #start} or {@link #startPart}. */
    int adler() {
        return adlerS1 | (adlerS2 << 16);
    }

    /** The number of input bytes since {@link #start} or {@link #startPart}. */
    long input() {
        return input;
    }

    /**
     * The Adler-32 of {@code A} followed by {@code B}, from {@code adler(A)}, {@code adler(B)} and
     * the length of {@code B} (RFC 1950 defines the checksum as two sums modulo 65521: s1, 1 plus
     * the bytes, and s2, the sum of every prefix's s1; B's bytes each add A's s1 minus 1 once more
     * to s2, which is what the length term adds).
     */
    static int combineAdler(int adlerA, int adlerB, long lengthB) {
        long s1a = adlerA & 0xffff;
        long s2a = adlerA >>> 16;
        long s1b = adlerB & 0xffff;
        long s2b = adlerB >>> 16;
        long s1 = (s1a + s1b + ADLER_BASE - 1) % ADLER_BASE;
        long s2 = (s2a + s2b + (lengthB % ADLER_BASE) * ((s1a + ADLER_BASE - 1) % ADLER_BASE)) % ADLER_BASE;
        return (int) (s1 | (s2 << 16));
    }

    /** Compresses {@code data[offset, offset + length)} as one dynamic-Huffman block. */
    void block(byte[] data, int offset, int length) {
        if (length == 0) {
            return;
        }
        input += length;
        int pairs = scan(data, offset, length);
        checksum(data, offset, pairs);
        count(data, offset, pairs);
        huffman.lengths(litFreq, LITLEN_SYMBOLS, MAX_BITS, litLen);
        HuffmanBuilder.codes(litLen, LITLEN_SYMBOLS, litCode);
        // distance codes 0 (distance 1, the only one used) and 1, one bit each: a complete code
        Arrays.fill(distLen, 0);
        distLen[0] = 1;
        distLen[1] = 1;
        HuffmanBuilder.codes(distLen, 30, distCode);
        buildTokenTable();

        bits.put(0, 1); // BFINAL = 0: finish() ends the stream with an empty final block
        bits.put(2, 2); // BTYPE = 10, dynamic Huffman
        writeTrees();
        emit(data, offset, length, pairs);
        bits.put(litCode[END_OF_BLOCK], litLen[END_OF_BLOCK]);
    }

    /** Ends the stream: an empty final block, byte alignment, and the Adler-32 of all input. */
    void finish() {
        bits.put(1, 1); // BFINAL
        bits.put(1, 2); // BTYPE = 01, fixed Huffman
        bits.put(0, 7); // end of block: code 0000000 in the fixed code
        bits.alignAndFlush();
        ByteSink out = bits.out();
        out.putIntBE(adler());
    }

    /** Back-references emitted since this object was made (for tests). */
    long matches() {
        return matches;
    }

    /**
     * Splits the block into spans: {@code spans[2k]} literal bytes followed by a run of
     * {@code spans[2k + 1]} equal bytes (0, or at least 4). Literals are not copied: the emitter
     * reads them from the data. Returns the number of spans.
     */
    private int scan(byte[] d, int off, int len) {
        if (spans.length < len / 2 + 4) {
            spans = new int[len / 2 + 4];
        }
        int[] sp = spans;
        int pairs = 0;
        int end = off + len;
        int i = off;
        int literalStart = off;
        while (i < end) {
            if (i + 8 <= end) {
                // Eight bytes at once: e has a zero byte k where byte k equals byte k + 1; a run
                // of 4 starts at k when e's bytes k, k+1 and k+2 are zero (k at most 4).
                long v = (long) LONGS.get(d, i);
                long e = v ^ (v >>> 8);
                long zero = ~(((e & 0x7f7f7f7f7f7f7f7fL) + 0x7f7f7f7f7f7f7f7fL) | e | 0x7f7f7f7f7f7f7f7fL)
                        & 0x0080808080808080L; // bytes 0..6 only: byte 7 has no neighbour here
                long start = zero & (zero >>> 8) & (zero >>> 16);
                if (start == 0) {
                    i += 5; // no run starts in the first five
                    continue;
                }
                i += Long.numberOfTrailingZeros(start) >>> 3;
            } else if (!(i + 3 < end && d[i + 1] == d[i] && d[i + 2] == d[i] && d[i + 3] == d[i])) {
                i++;
                continue;
            }
            int j = runEnd(d, i + 4, end, d[i]);
            sp[2 * pairs] = i - literalStart;
            sp[2 * pairs + 1] = j - i;
            pairs++;
            i = j;
            literalStart = j;
        }
        if (literalStart < end) {
            sp[2 * pairs] = end - literalStart;
            sp[2 * pairs + 1] = 0;
            pairs++;
        }
        return pairs;
    }

    /** Literal stretches at least this long are summed by {@link Adler32}; shorter ones here. */
    static final int LONG_LITERALS = 64;

    /**
     * Adds the block's bytes to the Adler-32, span by span: short stretches of literals byte by
     * byte, long ones through {@link Adler32} and {@link #combineAdler}, and a run of n bytes b at
     * once (s2 gains n times s1 plus b times n(n+1)/2, s1 gains n times b).
     */
    private void checksum(byte[] d, int off, int pairs) {
        int[] sp = spans;
        long s1 = adlerS1;
        long s2 = adlerS2;
        int p = off;
        for (int k = 0; k < pairs; k++) {
            int n = sp[2 * k];
            if (n >= LONG_LITERALS) {
                literals.reset();
                literals.update(d, p, n);
                int a = combineAdler((int) (s1 | (s2 << 16)), (int) literals.getValue(), n);
                s1 = a & 0xffff;
                s2 = a >>> 16;
                p += n;
            } else if (n > 0) {
                // below 64 bytes s1 stays under 2^17 and s2 under 2^24: one reduction per stretch
                for (int end = p + n; p < end; p++) {
                    s1 += d[p] & 0xff;
                    s2 += s1;
                }
                s1 %= ADLER_BASE;
                s2 %= ADLER_BASE;
            }
            long run = sp[2 * k + 1];
            if (run != 0) {
                long b = d[p] & 0xff;
                // run <= 2^31: run * (run + 1) / 2 % 65521 first keeps the product in a long
                s2 = (s2 + run % ADLER_BASE * s1 + b * (run * (run + 1) / 2 % ADLER_BASE)) % ADLER_BASE;
                s1 = (s1 + run % ADLER_BASE * b) % ADLER_BASE;
                p += (int) run;
            }
        }
        adlerS1 = (int) s1;
        adlerS2 = (int) s2;
    }

    /**
     * Symbol counts for the code: every run's symbols, and every fourth literal counted four
     * times (the code only needs the proportions). Every symbol starts at 1, so a value the
     * sample missed still has a code.
     */
    private void count(byte[] d, int off, int pairs) {
        int[] f = litFreq;
        Arrays.fill(f, 1);
        int[] sp = spans;
        int p = off;
        int phase = 0;
        for (int k = 0; k < pairs; k++) {
            int literals = sp[2 * k];
            int q = p + phase;
            int end = p + literals;
            for (; q < end; q += 4) {
                f[d[q] & 0xff] += 4;
            }
            phase = q - end;
            p = end;
            int run = sp[2 * k + 1];
            if (run != 0) {
                f[d[p] & 0xff]++;
                for (int rest = run - 1; rest >= 3;) {
                    int m = matchLength(rest);
                    f[LEN_SYMBOL[m]]++;
                    rest -= m;
                }
                p += run;
            }
        }
    }

    /** The next copy length for {@code rest >= 3} bytes: at most 258, never leaving 1 or 2. */
    private static int matchLength(int rest) {
        int m = Math.min(rest, MAX_MATCH);
        if (rest - m > 0 && rest - m < 3) {
            m = rest - 3; // leave a remainder that is itself a valid copy
        }
        return m;
    }

    /** The index of the first byte from {@code j} that differs from {@code b}, or {@code end}. */
    private static int runEnd(byte[] d, int j, int end, byte b) {
        long pattern = (b & 0xffL) * 0x0101010101010101L;
        while (j + 8 <= end) {
            long diff = (long) LONGS.get(d, j) ^ pattern;
            if (diff != 0) {
                return j + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            j += 8;
        }
        while (j < end && d[j] == b) {
            j++;
        }
        return j;
    }

    /**
     * For every token value, its whole bit pattern (literal code, or length code + extra bits +
     * distance code) in the low 16 bits and its bit count above them.
     */
    private void buildTokenTable() {
        for (int v = 0; v < 256; v++) {
            tokenBits[v] = litCode[v] | (litLen[v] << TOKEN_LENGTH_SHIFT);
        }
        int d0 = distCode[0];
        int d0len = distLen[0];
        for (int m = 3; m <= MAX_MATCH; m++) {
            int s = LEN_SYMBOL[m];
            int code = litCode[s];
            int n = litLen[s];
            code |= LEN_EXTRA[m] << n;
            n += LEN_EXTRA_BITS[m];
            code |= d0 << n;
            n += d0len;
            tokenBits[256 + m] = code | (n << TOKEN_LENGTH_SHIFT);
        }
    }

    private void emit(byte[] d, int off, int length, int pairs) {
        int[] table = tokenBits;
        int[] sp = spans;
        ByteSink out = bits.out();
        // every token covers at least one byte and takes at most 16 bits; the store runs 4 ahead
        out.ensure(2 * length + 16);
        byte[] a = out.array();
        int pos = out.length();
        long buffer = bits.buffer;
        int used = bits.count; // below 32 between tokens
        int p = off;
        for (int k = 0; k < pairs; k++) {
            int end = p + sp[2 * k];
            // literals two at a time: two tokens of at most 16 bits, at most 63 bits buffered
            for (; p + 1 < end; p += 2) {
                int e1 = table[d[p] & 0xff];
                int e2 = table[d[p + 1] & 0xff];
                int l1 = e1 >>> TOKEN_LENGTH_SHIFT;
                long two = (e1 & TOKEN_BITS_MASK) | ((long) (e2 & TOKEN_BITS_MASK) << l1);
                buffer |= two << used;
                used += l1 + (e2 >>> TOKEN_LENGTH_SHIFT);
                // branch-free flush: always store the low 32 bits, keep them only when complete
                INTS.set(a, pos, (int) buffer);
                int full = (used >>> 5) << 5; // 32 when a whole word is ready, else 0
                pos += full >>> 3;
                buffer >>>= full;
                used -= full;
            }
            int run = sp[2 * k + 1];
            int tokens = (p < end ? 1 : 0) + (run != 0 ? 1 : 0);
            for (int t = 0; t < tokens; t++, p++) { // a last literal, and a run's first byte
                int e = table[d[p] & 0xff];
                buffer |= (long) (e & TOKEN_BITS_MASK) << used;
                used += e >>> TOKEN_LENGTH_SHIFT;
                INTS.set(a, pos, (int) buffer);
                int full = (used >>> 5) << 5;
                pos += full >>> 3;
                buffer >>>= full;
                used -= full;
            }
            if (run != 0) {
                for (int rest = run - 1; rest >= 3;) {
                    int m = matchLength(rest);
                    int e = table[256 + m];
                    buffer |= (long) (e & TOKEN_BITS_MASK) << used;
                    used += e >>> TOKEN_LENGTH_SHIFT;
                    INTS.set(a, pos, (int) buffer);
                    int full = (used >>> 5) << 5;
                    pos += full >>> 3;
                    buffer >>>= full;
                    used -= full;
                    rest -= m;
                    matches++;
                }
                p += run - 1;
            }
        }
        out.advance(pos - out.length());
        bits.buffer = buffer;
        bits.count = used;
    }

    /** HLIT, HDIST, HCLEN, the code-length code, and both code length sequences run-length coded. */
    private void writeTrees() {
        int hlit = LITLEN_SYMBOLS;
        while (hlit > 257 && litLen[hlit - 1] == 0) {
            hlit--;
        }
        int hdist = 2;
        int[] all = new int[hlit + hdist];
        System.arraycopy(litLen, 0, all, 0, hlit);
        System.arraycopy(distLen, 0, all, hlit, hdist);

        // run-length code the lengths with symbols 0-15, 16 (repeat previous 3-6), 17 (3-10 zeros), 18 (11-138 zeros)
        int[] syms = new int[all.length];
        int[] extra = new int[all.length];
        int n = 0;
        for (int i = 0; i < all.length;) {
            int v = all[i];
            int run = 1;
            while (i + run < all.length && all[i + run] == v) {
                run++;
            }
            if (v == 0 && run >= 3) {
                int r = Math.min(run, 138);
                if (r >= 11) {
                    syms[n] = 18;
                    extra[n++] = r - 11;
                } else {
                    syms[n] = 17;
                    extra[n++] = r - 3;
                }
                i += r;
            } else if (v != 0 && run >= 4) {
                syms[n++] = v;
                int r = Math.min(run - 1, 6);
                syms[n] = 16;
                extra[n++] = r - 3;
                i += 1 + r;
            } else {
                syms[n++] = v;
                i++;
            }
        }
        int[] clFreq = new int[19];
        for (int k = 0; k < n; k++) {
            clFreq[syms[k]]++;
        }
        int[] clLen = new int[19];
        int[] clCode = new int[19];
        huffman.lengths(clFreq, 19, MAX_CL_BITS, clLen);
        HuffmanBuilder.codes(clLen, 19, clCode);
        int hclen = 19;
        while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] == 0) {
            hclen--;
        }
        bits.put(hlit - 257, 5);
        bits.put(hdist - 1, 5);
        bits.put(hclen - 4, 4);
        for (int k = 0; k < hclen; k++) {
            bits.put(clLen[CL_ORDER[k]], 3);
        }
        for (int k = 0; k < n; k++) {
            int s = syms[k];
            bits.put(clCode[s], clLen[s]);
            if (s == 16) {
                bits.put(extra[k], 2);
            } else if (s == 17) {
                bits.put(extra[k], 3);
            } else if (s == 18) {
                bits.put(extra[k], 7);
            }
        }
    }

    /** An LSB-first bit stream into a {@link ByteSink} (deflate's bit order). */
    static final class BitWriter {
        private ByteSink out;
        long buffer;
        int count;

        void begin(ByteSink sink) {
            out = sink;
            buffer = 0;
            count = 0;
        }

        ByteSink out() {
            return out;
        }

        /** Appends the low {@code n} bits of {@code value} (n at most 16), least significant first. */
        void put(int value, int n) {
            buffer |= (long) value << count;
            count += n;
            if (count >= 32) {
                ByteSink o = out;
                if (o.free() < 4) {
                    o.ensure(1 << 16);
                }
                byte[] a = o.array();
                int at = o.length();
                a[at] = (byte) buffer;
                a[at + 1] = (byte) (buffer >>> 8);
                a[at + 2] = (byte) (buffer >>> 16);
                a[at + 3] = (byte) (buffer >>> 24);
                o.advance(4);
                buffer >>>= 32;
                count -= 32;
            }
        }

        /** Pads to a byte boundary with zero bits and writes what is buffered. */
        void alignAndFlush() {
            while (count > 0) {
                out.putByte((int) buffer);
                buffer >>>= 8;
                count = Math.max(0, count - 8);
            }
            buffer = 0;
        }
    }
}
