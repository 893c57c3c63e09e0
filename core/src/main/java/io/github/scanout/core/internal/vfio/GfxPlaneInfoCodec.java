package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes {@code struct vfio_device_gfx_plane_info} (64 bytes, little-endian;
 * {@code docs/abi.md} section 2). Drivers copy back only the first 60 bytes, so decoding
 * never reads the reserved word at 60. Stateless.
 */
public final class GfxPlaneInfoCodec {
    private GfxPlaneInfoCodec() {}

    public static final int SIZE = Vfio.GFX_PLANE_INFO_SIZE;
    public static final int ARGSZ = 0;
    public static final int FLAGS = 4;
    public static final int DRM_PLANE_TYPE = 8;
    public static final int DRM_FORMAT = 12;
    public static final int DRM_FORMAT_MOD = 16;
    public static final int WIDTH = 24;
    public static final int HEIGHT = 28;
    public static final int STRIDE = 32;
    public static final int SIZE_FIELD = 36;
    public static final int X_POS = 40;
    public static final int Y_POS = 44;
    public static final int X_HOT = 48;
    public static final int Y_HOT = 52;
    public static final int BUFFER_ID = 56;
    public static final int RESERVED = 60;
    /** Bytes a driver fills in: everything before {@link #RESERVED}. */
    public static final int DECODED_SIZE = RESERVED;

    /**
     * A query or probe ({@code docs/abi.md} rule 1): all 64 bytes zero, then argsz 64, the flags and the
     * plane type set explicitly.
     */
    public static ByteBuffer query(int flags, PlaneType plane) {
        ByteBuffer b = Le.allocate(SIZE);
        fillQuery(b, flags, plane);
        return b;
    }

    /**
     * Writes the same query into the first {@link #SIZE} bytes of {@code b} (absolute offsets,
     * every other byte zeroed): for argument memory a device allocates once and reuses per poll.
     */
    public static void fillQuery(ByteBuffer b, int flags, PlaneType plane) {
        // zeroed eight bytes at a time (a byte loop was about 4 % of an unchanged poll's profile)
        int i = 0;
        for (; i + Long.BYTES <= SIZE; i += Long.BYTES) {
            b.putLong(i, 0);
        }
        for (; i < SIZE; i++) {
            b.put(i, (byte) 0);
        }
        Le.putU32(b, ARGSZ, SIZE);
        Le.putU32(b, FLAGS, Integer.toUnsignedLong(flags));
        Le.putU32(b, DRM_PLANE_TYPE, plane.drmValue());
    }

    /**
     * Reads bytes 0..59 (absolute offsets; position, limit and byte order of {@code b} are not used).
     *
     * @throws IllegalArgumentException when the buffer holds fewer than 60 bytes
     */
    public static RawPlaneInfo decode(ByteBuffer b) {
        if (b.capacity() < DECODED_SIZE) {
            throw new IllegalArgumentException("vfio_device_gfx_plane_info needs " + DECODED_SIZE + " bytes, got " + b.capacity());
        }
        ByteBuffer l = Le.le(b);
        return new RawPlaneInfo(
                Le.u32(l, ARGSZ), Le.u32(l, FLAGS), Le.u32(l, DRM_PLANE_TYPE), Le.u32(l, DRM_FORMAT),
                Le.u64(l, DRM_FORMAT_MOD), Le.u32(l, WIDTH), Le.u32(l, HEIGHT), Le.u32(l, STRIDE),
                Le.u32(l, SIZE_FIELD), Le.u32(l, X_POS), Le.u32(l, Y_POS), Le.u32(l, X_HOT), Le.u32(l, Y_HOT),
                Le.u32(l, BUFFER_ID));
    }

    /** Writes every field of {@code info} into a new 64-byte buffer (reserved stays 0): what a driver answers. */
    public static ByteBuffer encode(RawPlaneInfo info) {
        ByteBuffer b = Le.allocate(SIZE);
        encodeInto(info, b);
        return b;
    }

    /** Writes every field of {@code info} into bytes 0..59 of {@code b}, as a driver's copy_to_user does. */
    public static void encodeInto(RawPlaneInfo info, ByteBuffer target) {
        ByteBuffer b = Le.le(target);
        Le.putU32(b, ARGSZ, info.argsz());
        Le.putU32(b, FLAGS, info.flags());
        Le.putU32(b, DRM_PLANE_TYPE, info.drmPlaneType());
        Le.putU32(b, DRM_FORMAT, info.drmFormat());
        Le.putU64(b, DRM_FORMAT_MOD, info.drmFormatMod());
        Le.putU32(b, WIDTH, info.width());
        Le.putU32(b, HEIGHT, info.height());
        Le.putU32(b, STRIDE, info.stride());
        Le.putU32(b, SIZE_FIELD, info.size());
        Le.putU32(b, X_POS, info.xPos());
        Le.putU32(b, Y_POS, info.yPos());
        Le.putU32(b, X_HOT, info.xHot());
        Le.putU32(b, Y_HOT, info.yHot());
        Le.putU32(b, BUFFER_ID, info.bufferId());
    }
}
