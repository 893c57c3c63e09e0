package io.github.scanout.sink.file.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable byte array reused from frame to frame, so that encoding a frame allocates nothing
 * once the array has reached the size of a frame.
 *
 * <p>Threads: confined to one thread.
 */
public final class ByteSink {
    private byte[] bytes;
    private int length;

    public ByteSink(int initialCapacity) {
        bytes = new byte[Math.max(64, initialCapacity)];
    }

    /** Forgets the content, keeps the array. */
    public void reset() {
        length = 0;
    }

    /** Bytes written since the last {@link #reset()}. */
    public int length() {
        return length;
    }

    /** The backing array; valid from 0 to {@link #length()} until the next write. */
    public byte[] array() {
        return bytes;
    }

    /** The content as a buffer sharing the array (position 0, limit {@link #length()}). */
    public ByteBuffer asBuffer() {
        return ByteBuffer.wrap(bytes, 0, length);
    }

    /** Makes room for at least {@code more} further bytes. */
    public void ensure(int more) {
        long need = (long) length + more;
        if (need > bytes.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("encoded frame exceeds 2 GiB");
            }
            long grown = Math.max(need, Math.min(Integer.MAX_VALUE - 16, (long) bytes.length * 2));
            bytes = Arrays.copyOf(bytes, (int) grown);
        }
    }

    /** Free bytes after {@link #length()} without growing. */
    public int free() {
        return bytes.length - length;
    }

    /** Marks {@code n} bytes written directly into {@link #array()} after {@link #length()}. */
    public void advance(int n) {
        length += n;
    }

    public void put(byte[] src, int offset, int n) {
        ensure(n);
        System.arraycopy(src, offset, bytes, length, n);
        length += n;
    }

    public void putByte(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
    }

    /** Big-endian 32-bit integer (PNG's byte order). */
    public void putIntBE(int v) {
        ensure(4);
        setIntBE(length, v);
        length += 4;
    }

    /** Overwrites 4 bytes at {@code index}, big-endian. */
    public void setIntBE(int index, int v) {
        bytes[index] = (byte) (v >>> 24);
        bytes[index + 1] = (byte) (v >>> 16);
        bytes[index + 2] = (byte) (v >>> 8);
        bytes[index + 3] = (byte) v;
    }

    /** ASCII text, one byte per char. */
    public void putAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
    }
}
