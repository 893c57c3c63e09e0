package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The read and write loops of the kernel's mdev samples ({@code mdpy_read}, {@code mbochs_read},
 * {@code intel_vgpu_read} and their write twins): the request is cut into naturally aligned
 * 4-, 2- or 1-byte accesses, each handed to the device's access function; the first access
 * that fails makes the whole call fail with EFAULT (bytes already copied stay copied).
 *
 * <p>The chunking matters: mbochs only accepts 16-bit DISPI accesses, so a 4-byte write at a
 * 4-aligned offset is ignored while the same write at an offset that is only 2-aligned becomes
 * two 16-bit accesses and works.
 */
public final class ChunkedAccess {
    private ChunkedAccess() {}

    /** One device access: {@code buf[0..count)} at device-fd offset {@code pos}. */
    @FunctionalInterface
    public interface Access {
        /**
         * @return false when the driver's access function fails (it returns -1 or an error)
         */
        boolean access(long pos, byte[] buf, int count, boolean write) throws DeviceException;
    }

    /** {@code pread}: fills {@code dst} from its position to its limit and advances the position. */
    public static int read(String device, long pos, ByteBuffer dst, Access access) throws DeviceException {
        checkPos(device, "pread", pos);
        if (dst.isReadOnly()) {
            throw Errors.errno(device, "pread into a read-only buffer", Errno.EFAULT);
        }
        int count = dst.remaining();
        int start = dst.position();
        byte[] val = new byte[4];
        int done = 0;
        while (count > 0) {
            int n = chunk(pos, count);
            Arrays.fill(val, KStruct.GARBAGE); // the driver's u32/u16/u8 val is uninitialised
            if (!access.access(pos, val, n, false)) {
                throw Errors.errno(device, "pread " + n + " bytes at 0x" + Long.toHexString(pos), Errno.EFAULT);
            }
            dst.put(start + done, val, 0, n);
            count -= n;
            done += n;
            pos += n;
        }
        dst.position(start + done);
        return done;
    }

    /** {@code pwrite}: writes {@code src} from its position to its limit and advances the position. */
    public static int write(String device, long pos, ByteBuffer src, Access access) throws DeviceException {
        checkPos(device, "pwrite", pos);
        int count = src.remaining();
        int start = src.position();
        int done = 0;
        while (count > 0) {
            int n = chunk(pos, count);
            byte[] val = new byte[n];
            src.get(start + done, val, 0, n);
            if (!access.access(pos, val, n, true)) {
                throw Errors.errno(device, "pwrite " + n + " bytes at 0x" + Long.toHexString(pos), Errno.EFAULT);
            }
            count -= n;
            done += n;
            pos += n;
        }
        src.position(start + done);
        return done;
    }

    private static int chunk(long pos, int count) {
        if (count >= 4 && pos % 4 == 0) {
            return 4;
        }
        if (count >= 2 && pos % 2 == 0) {
            return 2;
        }
        return 1;
    }

    private static void checkPos(String device, String call, long pos) throws DeviceException {
        if (pos < 0) {
            throw Errors.errno(device, call + " at negative offset " + pos, Errno.EINVAL);
        }
    }
}
