package io.github.scanout.core.internal.nativeio;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * libc's {@code ioctl} direct-mapped ({@link Native#register}): the calls a capture loop makes on
 * every poll, without the interface mapping's per-call cost. An interface call
 * ({@link Libc}) goes through a {@code java.lang.reflect.Proxy}, boxes its arguments into an
 * {@code Object[]} and converts each by type at run time (about 4 us and 400 bytes allocated per
 * ioctl measured here); a direct-mapped native method is bound once and converts its primitive,
 * {@link Pointer} and direct {@link ByteBuffer} arguments in native code, allocating nothing.
 *
 * <p>Errno: JNA saves errno after a direct-mapped call as after an interface call, so
 * {@link Native#getLastError()} ({@link Libc#errno()}) reads it the same way.
 *
 * <p>A direct {@link ByteBuffer} argument is passed as the address of its current position
 * (JNA's rule for direct mapping); {@link LibcKernel} passes buffers at position 0.
 *
 * <p>Only {@link LibcKernel#instance()} uses these; {@link LibcKernel}'s tests at the native
 * boundary mock {@link Libc} instead.
 */
final class DirectLibc {
    static {
        Native.register(DirectLibc.class, NativeLibrary.getInstance("c"));
    }

    private DirectLibc() {}

    /** {@code ioctl(fd, request, void *arg)} with a direct buffer's memory (from its position). */
    static native int ioctl(int fd, long request, ByteBuffer arg);

    /** {@code ioctl(fd, request, void *arg)}. */
    static native int ioctl(int fd, long request, Pointer arg);

    /** {@code ioctl(fd, request, unsigned long value)}. */
    static native int ioctl(int fd, long request, long value);
}
