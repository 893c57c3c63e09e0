package io.github.scanout.api.kernel;

import io.github.scanout.api.DeviceException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The system calls of Scanout's device layer, one method each, with the kernel's semantics.
 *
 * <p>A failed call throws {@link DeviceException} carrying the errno, never returns -1. Buffers
 * passed as ioctl arguments are copied in before the call and back after it (the kernel's
 * {@code copy_from_user}/{@code copy_to_user}); their position and limit are not changed.
 * File descriptors are plain ints owned by the caller.
 *
 * <p>Implementations must be safe for use from several threads at once, like libc.
 */
@ConsumerType
public interface Kernel {

    /** {@code open(2)}; returns the new fd. */
    int open(String path, int flags) throws DeviceException;

    /** {@code close(2)}. */
    void close(int fd) throws DeviceException;

    /**
     * {@code ioctl(2)} with a pointer argument.
     *
     * @param arg the bytes the pointer points at (from index 0 to the capacity), or
     *     {@code null} for no argument
     * @return the non-negative return value (a new fd for ioctls that make one)
     */
    int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException;

    /** {@code ioctl(2)} with an integer argument passed by value. */
    int ioctl(int fd, long request, long value) throws DeviceException;

    /**
     * {@code pread(2)} into {@code dst} from its position up to its limit; the position
     * advances by the bytes read, which are returned (0 at end of file).
     */
    int pread(int fd, ByteBuffer dst, long offset) throws DeviceException;

    /** {@code pwrite(2)} of {@code src} from its position to its limit; returns bytes written. */
    int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException;

    /** {@code lseek(2)}; returns the resulting offset. */
    long lseek(int fd, long offset, int whence) throws DeviceException;

    /** {@code fcntl(2)} with an integer argument; returns the call's result. */
    int fcntl(int fd, int cmd, int arg) throws DeviceException;

    /** {@code dup(2)}; the new fd does not have FD_CLOEXEC. */
    int dup(int fd) throws DeviceException;

    /** {@code memfd_create(2)}; returns the new fd. */
    int memfdCreate(String name, int flags) throws DeviceException;

    /** {@code ftruncate(2)}. */
    void ftruncate(int fd, long length) throws DeviceException;

    /**
     * {@code mmap(2)} with no address hint. A MAP_FAILED result is thrown, never returned.
     *
     * @return the mapping; release it with {@link #munmap(Mapping)}
     */
    Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException;

    /** {@code munmap(2)} of a whole mapping made by this kernel. */
    void munmap(Mapping mapping) throws DeviceException;
}
