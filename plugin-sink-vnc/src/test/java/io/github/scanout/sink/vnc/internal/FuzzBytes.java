package io.github.scanout.sink.vnc.internal;

import java.nio.charset.StandardCharsets;

/**
 * Test fixture for fuzz targets: reads a fuzzer's bytes front to back as little-endian numbers,
 * answering 0 once they run out, so every input (the empty one too) is a valid run and a seed
 * file can be written by hand. Not thread-safe.
 */
final class FuzzBytes {
    private final byte[] data;
    private int at;

    FuzzBytes(byte[] data) {
        this.data = data;
    }

    boolean hasMore() {
        return at < data.length;
    }

    int u8() {
        return at < data.length ? data[at++] & 0xff : 0;
    }

    int u16() {
        return u8() | u8() << 8;
    }

    int u32() {
        return u16() | u16() << 16;
    }

    long u64() {
        return (u32() & 0xffff_ffffL) | (long) u32() << 32;
    }

    boolean bool() {
        return (u8() & 1) != 0;
    }

    /** One of {@code values}, chosen by the next byte. */
    @SafeVarargs
    final <T> T pick(T... values) {
        return values[u8() % values.length];
    }

    /** The next {@code n} bytes (fewer at the end). */
    byte[] bytes(int n) {
        int k = Math.max(0, Math.min(n, data.length - at));
        byte[] out = new byte[k];
        System.arraycopy(data, at, out, 0, k);
        at += k;
        return out;
    }

    /** A string: a length byte, then that many bytes as UTF-8. */
    String string() {
        return new String(bytes(u8()), StandardCharsets.UTF_8);
    }

    /** Everything not read yet. */
    byte[] rest() {
        return bytes(data.length - at);
    }
}
