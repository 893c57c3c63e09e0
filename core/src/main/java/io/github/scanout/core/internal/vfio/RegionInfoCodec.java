package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.device.RegionInfo.RegionType;
import io.github.scanout.api.device.RegionInfo.SparseArea;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code struct vfio_region_info} (32 bytes) and its capability chain.
 *
 * <p>Layout: argsz 0, flags 4, index 8, cap_offset 12, size 16 (u64), offset 24 (u64). A
 * capability starts with an 8-byte header (u16 id, u16 version, u32 next); {@code next} and
 * {@code cap_offset} count from the start of the struct, 0 ends the chain. Type capability
 * (id 2): u32 type at 8, u32 subtype at 12. Sparse-mmap capability (id 1): u32 nr_areas at 8,
 * u32 reserved at 12, then {u64 offset, u64 size} areas from 16.
 *
 * <p>The chain comes from the device, so the walk is bounded: every capability must lie
 * inside the answer's argsz (at most {@value #MAX_ARGSZ} bytes), start after the fixed struct,
 * and each {@code next} must point forward past the header it follows (no loops, no going
 * back); at most {@value #MAX_CAPS} capabilities. Anything else is a {@link DeviceException}
 * that names the region, the offset and the rule. Stateless.
 */
public final class RegionInfoCodec {
    private RegionInfoCodec() {}

    public static final int SIZE = Vfio.REGION_INFO_SIZE;
    public static final int ARGSZ = 0;
    public static final int FLAGS = 4;
    public static final int INDEX = 8;
    public static final int CAP_OFFSET = 12;
    public static final int SIZE_FIELD = 16;
    public static final int OFFSET = 24;

    public static final int CAP_HEADER_SIZE = 8;
    public static final int CAP_ID = 0;
    public static final int CAP_VERSION = 2;
    public static final int CAP_NEXT = 4;

    public static final int TYPE_CAP_SIZE = 16;
    public static final int TYPE_CAP_TYPE = 8;
    public static final int TYPE_CAP_SUBTYPE = 12;

    public static final int SPARSE_NR_AREAS = 8;
    public static final int SPARSE_RESERVED = 12;
    public static final int SPARSE_AREAS = 16;
    public static final int SPARSE_AREA_SIZE = 16;

    /** Largest argsz Scanout will allocate for one region's info and chain. */
    public static final int MAX_ARGSZ = 64 * 1024;
    /** Most capabilities one chain may hold. */
    public static final int MAX_CAPS = 16;

    /** A zeroed query of {@code argsz} bytes (at least 32) for region {@code index}. */
    public static ByteBuffer query(int index, int argsz) {
        if (argsz < SIZE || argsz > MAX_ARGSZ) {
            throw new IllegalArgumentException("region info argsz must be " + SIZE + " to " + MAX_ARGSZ + ", got " + argsz);
        }
        ByteBuffer b = Le.allocate(argsz);
        Le.putU32(b, ARGSZ, argsz);
        Le.putU32(b, INDEX, Integer.toUnsignedLong(index));
        return b;
    }

    /** The argsz field of an answer (the kernel raises it when the chain did not fit). */
    public static long argsz(ByteBuffer answer) {
        return Le.u32(Le.le(answer), ARGSZ);
    }

    /**
     * Decodes an answer whose chain fit in the buffer.
     *
     * @param answer the buffer passed to the ioctl (its capacity is the argsz that was passed)
     * @param index the index that was asked for
     * @param what the region for messages, for example {@code "region 9 of sim:mbochs"}
     * @throws DeviceException when a value or the chain breaks a rule
     */
    public static RegionInfo decode(ByteBuffer answer, int index, String what) throws DeviceException {
        ByteBuffer b = Le.le(answer);
        if (b.capacity() < SIZE) {
            throw new IllegalArgumentException("vfio_region_info needs " + SIZE + " bytes, got " + b.capacity());
        }
        int flags = (int) Le.u32(b, FLAGS);
        long size = Le.u64(b, SIZE_FIELD);
        long offset = Le.u64(b, OFFSET);
        if (size < 0) {
            throw new DeviceException(what + ": size 0x" + Long.toHexString(size) + " is out of range (>= 2^63)");
        }
        if (offset < 0) {
            throw new DeviceException(what + ": offset 0x" + Long.toHexString(offset) + " is out of range (>= 2^63)");
        }
        Optional<RegionType> type = Optional.empty();
        List<SparseArea> sparse = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        long capOffset = Le.u32(b, CAP_OFFSET);
        if ((flags & Vfio.REGION_INFO_FLAG_CAPS) != 0 && capOffset != 0) {
            long bound = Math.min(b.capacity(), argsz(b));
            long at = capOffset;
            long minStart = SIZE;
            int count = 0;
            while (at != 0) {
                if (++count > MAX_CAPS) {
                    throw new DeviceException(what + ": capability chain has more than " + MAX_CAPS + " entries");
                }
                if (at < minStart) {
                    throw new DeviceException(what + ": capability at offset " + at + (count == 1
                            ? " lies inside the fixed 32-byte struct"
                            : " points backwards or loops (the previous one was at " + (minStart - CAP_HEADER_SIZE) + ")"));
                }
                if (at + CAP_HEADER_SIZE > bound) {
                    throw new DeviceException(what + ": capability at offset " + at + " lies outside argsz " + bound);
                }
                int pos = (int) at;
                int id = Le.u16(b, pos + CAP_ID);
                long next = Le.u32(b, pos + CAP_NEXT);
                if (id == Vfio.REGION_INFO_CAP_TYPE) {
                    need(what, "type capability", pos, TYPE_CAP_SIZE, bound);
                    if (type.isPresent()) {
                        throw new DeviceException(what + ": second type capability at offset " + pos);
                    }
                    type = Optional.of(new RegionType((int) Le.u32(b, pos + TYPE_CAP_TYPE),
                            (int) Le.u32(b, pos + TYPE_CAP_SUBTYPE)));
                } else if (id == Vfio.REGION_INFO_CAP_SPARSE_MMAP) {
                    need(what, "sparse-mmap capability", pos, SPARSE_AREAS, bound);
                    if (!sparse.isEmpty()) {
                        throw new DeviceException(what + ": second sparse-mmap capability at offset " + pos);
                    }
                    long nr = Le.u32(b, pos + SPARSE_NR_AREAS);
                    long room = (bound - pos - SPARSE_AREAS) / SPARSE_AREA_SIZE;
                    if (nr > room) {
                        throw new DeviceException(what + ": sparse-mmap capability at offset " + pos + " has nr_areas " + nr
                                + " but argsz " + bound + " has room for " + room);
                    }
                    for (int i = 0; i < nr; i++) {
                        int a = pos + SPARSE_AREAS + i * SPARSE_AREA_SIZE;
                        long areaOffset = Le.u64(b, a);
                        long areaSize = Le.u64(b, a + 8);
                        if (areaOffset < 0 || areaSize < 0 || areaOffset > size || areaSize > size - areaOffset) {
                            throw new DeviceException(what + ": sparse area " + i + " (offset 0x" + Long.toHexString(areaOffset)
                                    + ", size 0x" + Long.toHexString(areaSize) + ") lies outside the region's " + size + " bytes");
                        }
                        sparse.add(new SparseArea(areaOffset, areaSize));
                    }
                } else {
                    unknown.add(id);
                }
                minStart = at + CAP_HEADER_SIZE;
                at = next;
            }
        }
        return new RegionInfo(index, flags, size, offset, type, sparse, unknown);
    }

    private static void need(String what, String cap, int pos, int length, long bound) throws DeviceException {
        if (pos + (long) length > bound) {
            throw new DeviceException(what + ": " + cap + " at offset " + pos + " needs " + length
                    + " bytes but argsz is " + bound);
        }
    }

    /** Writes the fixed 32 bytes of an answer (for fakes and tests). */
    public static void putHeader(ByteBuffer target, long argsz, int flags, int index, long capOffset, long size, long offset) {
        ByteBuffer b = Le.le(target);
        Le.putU32(b, ARGSZ, argsz);
        Le.putU32(b, FLAGS, Integer.toUnsignedLong(flags));
        Le.putU32(b, INDEX, Integer.toUnsignedLong(index));
        Le.putU32(b, CAP_OFFSET, capOffset);
        Le.putU64(b, SIZE_FIELD, size);
        Le.putU64(b, OFFSET, offset);
    }

    /** Writes a capability header at {@code at}. */
    public static void putCapHeader(ByteBuffer target, int at, int id, int version, long next) {
        ByteBuffer b = Le.le(target);
        Le.putU16(b, at + CAP_ID, id);
        Le.putU16(b, at + CAP_VERSION, version);
        Le.putU32(b, at + CAP_NEXT, next);
    }

    /** Writes a type capability (16 bytes) at {@code at}. */
    public static void putTypeCap(ByteBuffer target, int at, long next, int type, int subtype) {
        putCapHeader(target, at, Vfio.REGION_INFO_CAP_TYPE, 1, next);
        ByteBuffer b = Le.le(target);
        Le.putU32(b, at + TYPE_CAP_TYPE, Integer.toUnsignedLong(type));
        Le.putU32(b, at + TYPE_CAP_SUBTYPE, Integer.toUnsignedLong(subtype));
    }

    /** Writes a sparse-mmap capability (16 + 16 per area bytes) at {@code at}. */
    public static void putSparseCap(ByteBuffer target, int at, long next, List<SparseArea> areas) {
        putCapHeader(target, at, Vfio.REGION_INFO_CAP_SPARSE_MMAP, 1, next);
        ByteBuffer b = Le.le(target);
        Le.putU32(b, at + SPARSE_NR_AREAS, areas.size());
        Le.putU32(b, at + SPARSE_RESERVED, 0);
        for (int i = 0; i < areas.size(); i++) {
            int a = at + SPARSE_AREAS + i * SPARSE_AREA_SIZE;
            Le.putU64(b, a, areas.get(i).offset());
            Le.putU64(b, a + 8, areas.get(i).size());
        }
    }
}
