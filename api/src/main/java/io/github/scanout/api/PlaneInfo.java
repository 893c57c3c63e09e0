package io.github.scanout.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A validated description of one plane, typed from {@code struct vfio_device_gfx_plane_info}.
 *
 * <p>Instances handed out by a {@code GfxDevice} have passed core's validator (ABI rules in
 * {@code docs/abi.md} section 7): the format is known and not C8, dimensions are in
 * range, and the layout fits in {@link #size()}. A disabled plane is never a
 * {@code PlaneInfo}; queries answer it as an empty {@code Optional}.
 *
 * @param type which plane this describes
 * @param bufferType how its pixels are handed out (the flag the query used)
 * @param format DRM fourcc
 * @param modifier memory arrangement; {@link Modifier#LINEAR} or a known tiling
 * @param width pixels, 1 to 16384
 * @param height pixels, 1 to 16384
 * @param stride bytes from one row (or tile row) to the next
 * @param size bytes of the buffer, as the device reported it
 * @param x cursor column relative to the primary plane, signed (the ABI field is unsigned)
 * @param y cursor row, signed
 * @param hotspot the cursor hotspot, empty when the device reported 0xFFFFFFFF
 * @param bufferId the region index (region) or dmabuf id (dma-buf), an unsigned 32-bit value
 */
public record PlaneInfo(
        PlaneType type,
        BufferType bufferType,
        DrmFormat format,
        Modifier modifier,
        int width,
        int height,
        int stride,
        long size,
        int x,
        int y,
        Optional<Hotspot> hotspot,
        long bufferId) {

    /**
     * Checks that no component is null; the ABI rules are checked by core's validator.
     *
     * @param type which plane
     * @param bufferType how it is handed out
     * @param format the pixel format
     * @param modifier the memory layout
     * @param width pixels per row
     * @param height rows
     * @param stride bytes from one row to the next
     * @param size bytes of the buffer, as the device says
     * @param x cursor column relative to the primary plane
     * @param y cursor row
     * @param hotspot the cursor hotspot, or empty
     * @param bufferId the region index or dmabuf id
     */
    public PlaneInfo {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(bufferType, "bufferType");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modifier, "modifier");
        Objects.requireNonNull(hotspot, "hotspot");
    }

    /**
     * Everything that names one buffer: two planes with equal keys show the same memory.
     * The id alone is not enough (Intel GVT-g reuses dmabuf ids for different buffers).
     */
    public record BufferKey(long bufferId, DrmFormat format, Modifier modifier, int width, int height, int stride, long size) {}

    /** {@return everything that names this plane's buffer} */
    public BufferKey key() {
        return new BufferKey(bufferId, format, modifier, width, height, stride, size);
    }

    /** {@return the bytes one row of pixels occupies (packed 4:2:2 rounds odd widths up to a pair)} */
    public long rowBytes() {
        return rowBytes(format, width);
    }

    /**
     * Bytes the layout needs from the start of the buffer: {@code stride * (height - 1) +
     * rowBytes} for linear buffers, {@code stride * roundUp(height, tileRows)} for tiled ones.
     *
     * @return the bytes
     */
    public long requiredBytes() {
        return requiredBytes(format, modifier, width, height, stride);
    }

    /**
     * {@link #rowBytes()} for any known format, in 64-bit arithmetic.
     *
     * @param format a known format
     * @param width pixels per row
     * @return the bytes of one row
     * @throws IllegalStateException for an unknown format
     * @throws ArithmeticException when the result overflows a {@code long}
     */
    public static long rowBytes(DrmFormat format, long width) {
        DrmFormat.Spec spec = DrmFormat.lookup(format.fourcc()); // no Optional or lambda: this runs on every poll
        if (spec == null) {
            throw new IllegalStateException("unknown DRM format " + format);
        }
        if (spec.layout() == DrmFormat.Layout.YUV422) {
            return Math.multiplyExact((width + 1) / 2, 4L);
        }
        return Math.multiplyExact(width, (long) spec.bytesPerPixel());
    }

    /**
     * {@link #requiredBytes()} for any values, in 64-bit arithmetic.
     *
     * @param format a known format
     * @param modifier the memory layout
     * @param width pixels per row
     * @param height rows
     * @param stride bytes from one row to the next
     * @return the bytes, 0 when the width or height is not positive
     * @throws IllegalStateException for an unknown format
     * @throws ArithmeticException when the result overflows a {@code long}
     */
    public static long requiredBytes(DrmFormat format, Modifier modifier, long width, long height, long stride) {
        if (height <= 0 || width <= 0) {
            return 0;
        }
        if (modifier.isLinear()) {
            return Math.addExact(Math.multiplyExact(stride, height - 1), rowBytes(format, width));
        }
        int rows = modifier.tileRows();
        long tiledHeight = Math.multiplyExact((height + rows - 1) / rows, (long) rows);
        return Math.multiplyExact(stride, tiledHeight);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder()
                .append(type).append(' ').append(bufferType).append(' ')
                .append(format).append(' ').append(width).append('x').append(height)
                .append(" stride ").append(stride).append(" size ").append(size);
        if (!modifier.isLinear()) {
            b.append(" modifier ").append(modifier);
        }
        b.append(bufferType.equals(BufferType.REGION) ? " region " : " id ").append(bufferId);
        if (type == PlaneType.CURSOR) {
            b.append(" at ").append(x).append(',').append(y);
            hotspot.ifPresent(h -> b.append(" hotspot ").append(h.x()).append(',').append(h.y()));
        }
        return b.toString();
    }
}
