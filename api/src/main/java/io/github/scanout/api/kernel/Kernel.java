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

    /**
     * {@code open(2)}.
     *
     * @param path the file to open
     * @param flags the {@code O_*} flags
     * @return the new fd, owned by the caller
     * @throws DeviceException when the call fails, with its errno
     */
    int open(String path, int flags) throws DeviceException;

    /**
     * {@code close(2)}.
     *
     * @param fd the fd to close
     * @throws DeviceException when the call fails, with its errno
     */
    void close(int fd) throws DeviceException;

    /**
     * {@code ioctl(2)} with a pointer argument.
     *
     * @param fd the fd to call it on
     * @param request the ioctl request number
     * @param arg the bytes the pointer points at (from index 0 to the capacity), or
     *     {@code null} for no argument
     * @return the non-negative return value (a new fd for ioctls that make one)
     * @throws DeviceException when the call fails, with its errno
     */
    int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException;

    /**
     * {@code ioctl(2)} with an integer argument passed by value.
     *
     * @param fd the fd to call it on
     * @param request the ioctl request number
     * @param value the argument
     * @return the non-negative return value
     * @throws DeviceException when the call fails, with its errno
     */
    int ioctl(int fd, long request, long value) throws DeviceException;

    /**
     * {@code pread(2)} into {@code dst} from its position up to its limit; the position
     * advances by the bytes read, which are returned (0 at end of file).
     *
     * @param fd the fd to read
     * @param dst where the bytes go
     * @param offset the file offset to read from
     * @return the bytes read, 0 at end of file
     * @throws DeviceException when the call fails, with its errno
     */
    int pread(int fd, ByteBuffer dst, long offset) throws DeviceException;

    /**
     * {@code pwrite(2)} of {@code src} from its position to its limit.
     *
     * @param fd the fd to write
     * @param src the bytes to write, from its position to its limit
     * @param offset the file offset to write at
     * @return the bytes written
     * @throws DeviceException when the call fails, with its errno
     */
    int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException;

    /**
     * {@code lseek(2)}.
     *
     * @param fd the fd whose offset moves
     * @param offset the offset, relative to {@code whence}
     * @param whence {@code SEEK_SET}, {@code SEEK_CUR} or {@code SEEK_END}
     * @return the resulting offset
     * @throws DeviceException when the call fails, with its errno
     */
    long lseek(int fd, long offset, int whence) throws DeviceException;

    /**
     * {@code fcntl(2)} with an integer argument.
     *
     * @param fd the fd
     * @param cmd the {@code F_*} command
     * @param arg the argument
     * @return the call's result
     * @throws DeviceException when the call fails, with its errno
     */
    int fcntl(int fd, int cmd, int arg) throws DeviceException;

    /**
     * {@code dup(2)}; the new fd does not have FD_CLOEXEC.
     *
     * @param fd the fd to duplicate
     * @return the new fd, owned by the caller
     * @throws DeviceException when the call fails, with its errno
     */
    int dup(int fd) throws DeviceException;

    /**
     * {@code memfd_create(2)}.
     *
     * @param name the name, for {@code /proc} and debugging only
     * @param flags the {@code MFD_*} flags
     * @return the new fd, owned by the caller
     * @throws DeviceException when the call fails, with its errno
     */
    int memfdCreate(String name, int flags) throws DeviceException;

    /**
     * {@code ftruncate(2)}.
     *
     * @param fd the fd of the file to resize
     * @param length the new length in bytes
     * @throws DeviceException when the call fails, with its errno
     */
    void ftruncate(int fd, long length) throws DeviceException;

    /**
     * {@code mmap(2)} with no address hint. A MAP_FAILED result is thrown, never returned.
     *
     * @param length bytes to map
     * @param prot the {@code PROT_*} flags
     * @param flags the {@code MAP_*} flags
     * @param fd the fd to map
     * @param offset the offset in the file, a multiple of the page size
     * @return the mapping; release it with {@link #munmap(Mapping)}
     * @throws DeviceException when the call fails, with its errno
     */
    Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException;

    /**
     * {@code munmap(2)} of a whole mapping made by this kernel. Views of it must not be used
     * afterwards.
     *
     * @param mapping the mapping to release
     * @throws DeviceException when the call fails, with its errno
     */
    void munmap(Mapping mapping) throws DeviceException;
}
