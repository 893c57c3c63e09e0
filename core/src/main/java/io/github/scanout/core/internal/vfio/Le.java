package io.github.scanout.core.internal.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian struct access with absolute offsets (x86_64 VFIO structs are little-endian). */
final class Le {
    private Le() {}

    /** A zeroed little-endian heap buffer of {@code size} bytes. */
    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The buffer in little-endian order (a duplicate, so the caller's order is untouched). */
    static ByteBuffer le(ByteBuffer b) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    static long u32(ByteBuffer b, int offset) {
        return b.order() == ByteOrder.LITTLE_ENDIAN
                ? Integer.toUnsignedLong(b.getInt(offset))
                : Integer.toUnsignedLong(Integer.reverseBytes(b.getInt(offset)));
    }

    static int u16(ByteBuffer b, int offset) {
        short s = b.getShort(offset);
        if (b.order() != ByteOrder.LITTLE_ENDIAN) {
            s = Short.reverseBytes(s);
        }
        return Short.toUnsignedInt(s);
    }

    static long u64(ByteBuffer b, int offset) {
        long v = b.getLong(offset);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putU32(ByteBuffer b, int offset, long value) {
        int v = (int) value;
        b.putInt(offset, b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v));
    }

    static void putU16(ByteBuffer b, int offset, int value) {
        short v = (short) value;
        b.putShort(offset, b.order() == ByteOrder.LITTLE_ENDIAN ? v : Short.reverseBytes(v));
    }

    static void putU64(ByteBuffer b, int offset, long value) {
        b.putLong(offset, b.order() == ByteOrder.LITTLE_ENDIAN ? value : Long.reverseBytes(value));
    }
}
