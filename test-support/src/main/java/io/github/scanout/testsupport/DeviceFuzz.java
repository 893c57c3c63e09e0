package io.github.scanout.testsupport;

import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;

/**
 * What the plane-source fuzz targets (region and dma-buf) choose the same way: the errnos a
 * device call may fail with, and the plane answer fields a script overwrites. Each reads the
 * input exactly as the targets always did, so the committed corpora keep their meaning.
 */
public final class DeviceFuzz {
    private DeviceFuzz() {}

    /** The errnos a plane source meets from real drivers and the kernel, in the corpora's order. */
    private static final Errno[] ERRNOS = {Errno.ENOMEM, Errno.EAGAIN, Errno.EINTR, Errno.EBUSY, Errno.EINVAL,
        Errno.ENODEV, Errno.ENOENT, Errno.EFAULT, Errno.EIO, Errno.ENOTTY, Errno.EMFILE};

    /** The region target's list: {@link #errno} without {@code EMFILE} (regions open no fds per frame). */
    public static final int REGION_ERRNOS = 10;
    /** The dma-buf target's list: every errno, {@code EMFILE} last. */
    public static final int DMABUF_ERRNOS = ERRNOS.length;

    /** One of the first {@code count} errnos, chosen by the next byte. */
    public static Errno errno(FuzzBytes in, int count) {
        return ERRNOS[in.u8() % count];
    }

    /** Receives one overwritten field of a plane answer. */
    @FunctionalInterface
    public interface FieldSetter {
        /**
         * @param field the field's index in {@code struct vfio_device_gfx_plane_info} order:
         *     0 flags, 1 drm_plane_type, 2 drm_format, 3 drm_format_mod, 4 width, 5 height,
         *     6 stride, 7 size, 8 x_pos, 9 y_pos, 10 x_hot, 11 y_hot, 12 dmabuf_id/region_index
         * @param value the new value (for the 32-bit fields, the low 32 bits)
         */
        void set(int field, long value);
    }

    /**
     * Plane answer fields chosen by the input: a 16-bit mask of the fields to replace, the plane
     * it applies to (both, primary, cursor), then each chosen field's value (64 bits for the
     * modifier, 32 for the rest).
     *
     * @param plane 0: both planes, otherwise the DRM plane type it applies to
     */
    public record PlaneFields(int mask, int plane, long[] values) {
        /** The number of fields in a plane answer. */
        public static final int FIELDS = 13;

        /** Reads a mask, a plane and the chosen values. */
        public static PlaneFields read(FuzzBytes in) {
            int mask = in.u16();
            int plane = in.u8() % 3;
            long[] v = new long[FIELDS];
            for (int i = 0; i < FIELDS; i++) {
                if ((mask & (1 << i)) != 0) {
                    v[i] = i == 3 ? in.u64() : in.u32();
                }
            }
            return new PlaneFields(mask, plane, v);
        }

        /** Sets the chosen fields through {@code setter} when the answer is for a plane this applies to. */
        public void apply(PlaneType answerFor, FieldSetter setter) {
            if (plane != 0 && answerFor.drmValue() != plane) {
                return;
            }
            for (int i = 0; i < FIELDS; i++) {
                if ((mask & (1 << i)) != 0) {
                    setter.set(i, values[i]);
                }
            }
        }
    }

    /**
     * The operations of a plane-source session: read one after another until the input runs out,
     * then, when bit 7 of the session's header byte is set, played again from the first operation
     * {@code 1 + 4 * (bits 3 to 6)} more times (up to 61), so that a short input scripts a long
     * session (mode changes, id reuse, errors in the middle, vanishing, all repeated against the
     * state the earlier rounds left); at most {@value #MAX_OPS} operations in all. A header byte
     * below 128 reads as it always did.
     */
    public static final class Script {
        /** The most operations one session runs. */
        public static final int MAX_OPS = 1024;
        private final FuzzBytes in;
        private final int first;
        private int replays;
        private int ops;

        /**
         * @param in the input, positioned at the first operation
         * @param header the session's header byte (its bits 3 to 7 are read here)
         */
        public Script(FuzzBytes in, int header) {
            this.in = in;
            this.first = in.position();
            this.replays = (header & 0x80) != 0 ? 1 + 4 * ((header >> 3) & 0xf) : 0;
        }

        /** Whether another operation follows (rewinding for a replay when the input ran out). */
        public boolean next() {
            if (ops >= MAX_OPS) {
                return false;
            }
            if (!in.hasMore()) {
                if (replays == 0) {
                    return false;
                }
                replays--;
                in.rewind(first);
                if (!in.hasMore()) {
                    return false;
                }
            }
            ops++;
            return true;
        }

        /** Operations run so far. */
        public int ops() {
            return ops;
        }
    }
}
