package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;

/** {@code struct vfio_group_status} (8 bytes): argsz 0, flags 4 (VIABLE 1, CONTAINER_SET 2). */
public final class GroupStatusCodec {
    private GroupStatusCodec() {}

    public static final int ARGSZ = 0;
    public static final int FLAGS = 4;

    /** A zeroed query with argsz 8. */
    public static ByteBuffer query() {
        ByteBuffer b = Le.allocate(Vfio.GROUP_STATUS_SIZE);
        Le.putU32(b, ARGSZ, Vfio.GROUP_STATUS_SIZE);
        return b;
    }

    /** The flags of an answer. */
    public static int flags(ByteBuffer b) {
        return (int) Le.u32(Le.le(b), FLAGS);
    }
}
