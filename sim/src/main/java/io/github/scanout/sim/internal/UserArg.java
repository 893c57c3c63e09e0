package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The user memory an ioctl pointer points at, with the kernel's {@code copy_from_user} and
 * {@code copy_to_user} rules: any access outside the buffer (or through a null pointer, or a
 * write to a read-only buffer) is EFAULT. Indices are absolute from 0; the caller's position
 * and limit are never touched.
 */
public final class UserArg {
    private final ByteBuffer mem;
    private final String device;
    private final String call;
    /** With {@code call == null}: the ioctl and file that {@link #call()} names (built only for a message). */
    private final int cmd;
    private final SimFile file;

    private UserArg(ByteBuffer mem, String device, String call, int cmd, SimFile file) {
        this.mem = mem;
        this.device = device;
        this.call = call;
        this.cmd = cmd;
        this.file = file;
    }

    /** The memory a pointer argument points at, or an invalid pointer for {@code null}. */
    public static UserArg of(ByteBuffer arg, String device, String call) {
        ByteBuffer view = arg == null ? null : arg.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        return new UserArg(view, device, call, 0, null);
    }

    /**
     * As {@link #of(ByteBuffer, String, String)} for ioctl {@code cmd} on {@code file}; the text
     * of {@link #call()} is built only when asked for (a message), not on every ioctl.
     */
    public static UserArg of(ByteBuffer arg, String device, int cmd, SimFile file) {
        ByteBuffer view = arg == null ? null : arg.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        return new UserArg(view, device, null, cmd, file);
    }

    /** An integer passed where the kernel expects a pointer: every access faults. */
    public static UserArg invalid(String device, String call) {
        return new UserArg(null, device, call, 0, null);
    }

    public String call() {
        return call != null ? call : SimKernel.ioctlName(cmd) + " on " + file.label();
    }

    /** {@code copy_from_user(k, arg, n)}: the first {@code n} bytes into a kernel struct of {@code size} bytes. */
    public KStruct copyFrom(int n, int size) throws DeviceException {
        if (mem == null || n > mem.capacity()) {
            throw fault();
        }
        KStruct k = KStruct.uninitialised(size);
        for (int i = 0; i < n; i++) {
            k.bytes()[i] = mem.get(i);
        }
        return k;
    }

    /** {@code get_user} of a u32 at offset 0. */
    public int getU32() throws DeviceException {
        if (mem == null || mem.capacity() < 4) {
            throw fault();
        }
        return mem.getInt(0);
    }

    /** {@code copy_to_user(arg + userOffset, k + kOffset, n)}. */
    public void copyTo(KStruct k, int kOffset, int userOffset, long n) throws DeviceException {
        if (mem == null || mem.isReadOnly() || userOffset < 0 || n < 0 || userOffset + n > mem.capacity()) {
            throw fault();
        }
        for (int i = 0; i < n; i++) {
            mem.put(userOffset + i, k.bytes()[kOffset + i]);
        }
    }

    /** {@code copy_to_user(arg, k, n)}. */
    public void copyTo(KStruct k, long n) throws DeviceException {
        copyTo(k, 0, 0, n);
    }

    private DeviceException fault() {
        return Errors.errno(device, call() + " (argument not readable or writable for the size the driver copies)",
                Errno.EFAULT);
    }
}
