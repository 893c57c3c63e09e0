package io.github.scanout.testsupport;

import java.nio.charset.StandardCharsets;

/**
 * Test fixture for fuzz targets: reads a fuzzer's bytes front to back as little-endian numbers,
 * answering 0 once they run out, so every input (the empty one too) is a valid run and a seed
 * file can be written by hand (fuzz/seeds.py writes the committed ones). Shared by every
 * {@code @FuzzTest} target; changing what a method reads changes the meaning of every committed
 * corpus, so don't. Not thread-safe.
 */
public final class FuzzBytes {
    private final byte[] data;
    private int at;

    public FuzzBytes(byte[] data) {
        this.data = data;
    }

    public boolean hasMore() {
        return at < data.length;
    }

    public int u8() {
        return at < data.length ? data[at++] & 0xff : 0;
    }

    public int u16() {
        return u8() | u8() << 8;
    }

    public int u32() {
        return u16() | u16() << 16;
    }

    public long u64() {
        return (u32() & 0xffff_ffffL) | (long) u32() << 32;
    }

    public boolean bool() {
        return (u8() & 1) != 0;
    }

    /** One of {@code values}, chosen by the next byte. */
    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[u8() % values.length];
    }

    /** The next {@code n} bytes (fewer at the end). */
    public byte[] bytes(int n) {
        int k = Math.max(0, Math.min(n, data.length - at));
        byte[] out = new byte[k];
        System.arraycopy(data, at, out, 0, k);
        at += k;
        return out;
    }

    /** A string: a length byte, then that many bytes as UTF-8. */
    public String string() {
        return new String(bytes(u8()), StandardCharsets.UTF_8);
    }

    /** The index of the next byte to read. */
    public int position() {
        return at;
    }

    /**
     * Goes back to byte {@code position} (0 is the first), so a target can play the same
     * operations again: a long session scripted by a short input.
     */
    public void rewind(int position) {
        if (position < 0 || position > data.length) {
            throw new IllegalArgumentException("position " + position + " outside 0.." + data.length);
        }
        at = position;
    }

    /** Everything not read yet. */
    public byte[] rest() {
        return bytes(data.length - at);
    }
}
