package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;

/**
 * {@code VFIO_DEVICE_GET_REGION_INFO} with the argsz handshake: ask with the 32-byte struct;
 * when the kernel raises argsz because the capability chain did not fit, ask again with that
 * size (at most {@link RegionInfoCodec#MAX_ARGSZ}, at most {@value #MAX_QUERIES} queries).
 */
public final class RegionInfoQuery {
    private RegionInfoQuery() {}

    /** Queries allowed before a device that keeps raising argsz is refused. */
    public static final int MAX_QUERIES = 3;

    /**
     * @param device the device name, for messages
     * @throws DeviceException carrying the ioctl's errno, or naming the broken rule
     */
    public static RegionInfo query(Kernel kernel, int fd, int index, String device) throws DeviceException {
        String what = "region " + Integer.toUnsignedString(index) + " of " + device;
        int argsz = RegionInfoCodec.SIZE;
        for (int attempt = 1; attempt <= MAX_QUERIES; attempt++) {
            ByteBuffer b = RegionInfoCodec.query(index, argsz);
            try {
                kernel.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, b);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_DEVICE_GET_REGION_INFO for " + what, e);
            }
            long answered = RegionInfoCodec.argsz(b);
            if (answered <= argsz) {
                return RegionInfoCodec.decode(b, index, what);
            }
            if (answered > RegionInfoCodec.MAX_ARGSZ) {
                throw new DeviceException(what + ": the device asks for argsz " + answered
                        + ", more than the limit of " + RegionInfoCodec.MAX_ARGSZ + " bytes");
            }
            argsz = (int) answered;
        }
        throw new DeviceException(what + ": the device raised argsz again after " + MAX_QUERIES
                + " queries (last " + argsz + ")");
    }
}
