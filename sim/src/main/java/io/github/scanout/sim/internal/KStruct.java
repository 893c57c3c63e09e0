package io.github.scanout.sim.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A kernel-side struct: little-endian bytes. Bytes the driver never initialises hold
 * {@link #GARBAGE}, the way an uninitialised stack variable holds whatever was there, so a
 * consumer that reads bytes the driver did not write sees obvious junk rather than zeros.
 */
public final class KStruct {
    /** What uninitialised kernel stack bytes read as in the simulation. */
    public static final byte GARBAGE = (byte) 0xDB;

    private final byte[] bytes;
    private final ByteBuffer le;

    private KStruct(byte[] bytes) {
        this.bytes = bytes;
        this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A struct as it is on the stack before anything writes it. */
    public static KStruct uninitialised(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, GARBAGE);
        return new KStruct(b);
    }

    /** A struct declared {@code = {}} or allocated with kzalloc. */
    public static KStruct zeroed(int size) {
        return new KStruct(new byte[size]);
    }

    byte[] bytes() {
        return bytes;
    }

    public int size() {
        return bytes.length;
    }

    public int u32(int offset) {
        return le.getInt(offset);
    }

    public long u64(int offset) {
        return le.getLong(offset);
    }

    public int u16(int offset) {
        return le.getShort(offset) & 0xffff;
    }

    public KStruct putU32(int offset, int value) {
        le.putInt(offset, value);
        return this;
    }

    public KStruct putU64(int offset, long value) {
        le.putLong(offset, value);
        return this;
    }

    public KStruct putU16(int offset, int value) {
        le.putShort(offset, (short) value);
        return this;
    }

    public KStruct fill(int from, int to, byte value) {
        Arrays.fill(bytes, from, to, value);
        return this;
    }

    /** u32 compare in the kernel's unsigned arithmetic: {@code value < bound}. */
    public static boolean below(int value, long bound) {
        return Integer.toUnsignedLong(value) < bound;
    }
}
