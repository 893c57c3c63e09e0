package io.github.scanout.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Encodes the VFIO structs by hand, little-endian, as a C caller would lay them out. */
final class Structs {
    private Structs() {}

    static final int PROBE = 1;
    static final int DMABUF = 2;
    static final int REGION = 4;
    static final int OVERLAY = 0;
    static final int PRIMARY = 1;
    static final int CURSOR = 2;

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** struct vfio_device_gfx_plane_info, zeroed, argsz and flags and plane type set. */
    static ByteBuffer plane(int argsz, int flags, int planeType) {
        ByteBuffer b = le(64);
        b.putInt(0, argsz).putInt(4, flags).putInt(8, planeType);
        return b;
    }

    static ByteBuffer plane(int flags, int planeType) {
        return plane(64, flags, planeType);
    }

    /** struct vfio_region_info in a buffer of {@code capacity} bytes. */
    static ByteBuffer region(int argsz, int index, int capacity) {
        ByteBuffer b = le(capacity);
        b.putInt(0, argsz).putInt(8, index);
        return b;
    }

    static ByteBuffer deviceInfo(int argsz) {
        ByteBuffer b = le(24);
        b.putInt(0, argsz);
        return b;
    }

    static ByteBuffer u32(int v) {
        ByteBuffer b = le(4);
        b.putInt(0, v);
        return b;
    }

    static int format(ByteBuffer p) {
        return p.getInt(12);
    }

    static long modifier(ByteBuffer p) {
        return p.getLong(16);
    }

    static int width(ByteBuffer p) {
        return p.getInt(24);
    }

    static int height(ByteBuffer p) {
        return p.getInt(28);
    }

    static int stride(ByteBuffer p) {
        return p.getInt(32);
    }

    static int size(ByteBuffer p) {
        return p.getInt(36);
    }

    static int xPos(ByteBuffer p) {
        return p.getInt(40);
    }

    static int yPos(ByteBuffer p) {
        return p.getInt(44);
    }

    static int xHot(ByteBuffer p) {
        return p.getInt(48);
    }

    static int yHot(ByteBuffer p) {
        return p.getInt(52);
    }

    static int id(ByteBuffer p) {
        return p.getInt(56);
    }
}
