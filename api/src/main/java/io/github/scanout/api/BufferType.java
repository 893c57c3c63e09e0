package io.github.scanout.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kind of buffer a vGPU can hand out for a plane, named by its flag bit in
 * {@code vfio_device_gfx_plane_info.flags}.
 *
 * <p>This is an open set: the kernel defines {@link #DMABUF} (2) and {@link #REGION} (4), and a
 * vendor may define its own with another single bit. Bit 0 is PROBE and cannot be a type.
 *
 * @param name a short lower-case name used in configuration ({@code buffer.type=dmabuf})
 * @param flag the single flag bit
 */
public record BufferType(String name, int flag) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** {@code VFIO_GFX_PLANE_TYPE_PROBE}: not a buffer type, the "only ask" bit. */
    public static final int PROBE_FLAG = 1;

    /** {@code VFIO_GFX_PLANE_TYPE_DMABUF}: the plane is handed out as a dma-buf fd. */
    public static final BufferType DMABUF = new BufferType("dmabuf", 2);
    /** {@code VFIO_GFX_PLANE_TYPE_REGION}: the plane lies in a device region. */
    public static final BufferType REGION = new BufferType("region", 4);

    /**
     * Checks the name and the flag.
     *
     * @param name a short lower-case name, {@code [a-z][a-z0-9-]{0,31}}
     * @param flag the single flag bit, not PROBE
     * @throws IllegalArgumentException when either is not allowed
     */
    public BufferType {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "buffer type name must match " + NAME.pattern() + ", got '" + name + "'");
        }
        if (Integer.bitCount(flag) != 1 || flag == PROBE_FLAG) {
            throw new IllegalArgumentException(
                    "buffer type flag must be one bit other than PROBE (1), got 0x" + Integer.toHexString(flag));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
