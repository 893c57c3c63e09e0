package io.github.scanout.core.internal.nativeio;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The raw JNA binding of the libc calls Scanout makes, with C types mapped for LP64 Linux
 * ({@code size_t}, {@code ssize_t}, {@code off_t} and {@code unsigned long} are Java
 * {@code long}). Every method returns what libc returns: -1 (or MAP_FAILED) on failure, with
 * the reason in {@link #errno()}.
 *
 * <p>Errno handling: JNA saves {@code errno} into a per-thread slot after every native call made
 * through an interface mapping (the native dispatcher's "preserve last error" is always on in
 * JNA 5), and {@link Native#getLastError()} reads that slot. It must be read right after the
 * call that returned -1, on the same thread, before any other JNA call. The alternative,
 * declaring {@code throws LastErrorException}, makes JNA zero errno before the call and throw
 * whenever errno is non-zero afterwards, even when the call succeeded (libc may leave errno set
 * on success), so it is not used here.
 *
 * <p>Only {@link LibcKernel} and {@link UnixDatagram} use this interface; tests mock it.
 */
public interface Libc extends Library {

    /** {@code MAP_FAILED}, {@code (void *) -1}. */
    long MAP_FAILED = -1L;

    int open(String path, int flags);

    int close(int fd);

    /** {@code ioctl(fd, request, void *arg)}. */
    int ioctl(int fd, long request, Pointer arg);

    /** {@code ioctl(fd, request, unsigned long value)}: an integer argument by value. */
    int ioctl(int fd, long request, long value);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    long lseek(int fd, long offset, int whence);

    int fcntl(int fd, int cmd, int arg);

    long pread(int fd, Pointer buf, long count, long offset);

    long pwrite(int fd, Pointer buf, long count, long offset);

    int dup(int fd);

    int memfd_create(String name, int flags);

    int ftruncate(int fd, long length);

    /**
     * {@code syscall(2)} with three integer arguments, for calls glibc has no wrapper for on
     * every distribution Scanout supports ({@code pidfd_open}, {@code pidfd_getfd}: wrappers
     * arrived in glibc 2.36). Unused trailing arguments are passed as 0, which both calls require.
     */
    long syscall(long number, long a, long b, long c);

    /** {@code poll(2)} over {@code nfds} {@code struct pollfd}s (8 bytes each) at {@code fds}. */
    int poll(Pointer fds, long nfds, int timeoutMillis);

    /** {@code socket(2)}: {@link UnixDatagram} and the borrow helper's stream sockets. */
    int socket(int domain, int type, int protocol);

    /** {@code sendto(2)} with the address as bytes ({@code struct sockaddr_un}); {@link UnixDatagram} only. */
    long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    /** {@code bind(2)}; {@link UnixDatagram.Receiver} only. */
    int bind(int fd, byte[] addr, int addrlen);

    /** {@code recv(2)}; {@link UnixDatagram.Receiver} only. */
    long recv(int fd, byte[] buf, long len, int flags);

    // ---- Unix-domain sockets (the borrow helper hands device fds over one with SCM_RIGHTS) ----

    int bind(int fd, Pointer addr, int addrlen);

    int listen(int fd, int backlog);

    int shutdown(int fd, int how);

    int accept4(int fd, Pointer addr, Pointer addrlen, int flags);

    int connect(int fd, Pointer addr, int addrlen);

    long sendmsg(int fd, Pointer msg, int flags);

    long recvmsg(int fd, Pointer msg, int flags);

    int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    /** The errno of the last native call made on this thread. */
    default int errno() {
        return Native.getLastError();
    }

    /**
     * Loads the C library.
     *
     * @throws UnsupportedOperationException on anything but a 64-bit platform, where the
     *     {@code long} mappings above would be wrong
     */
    static Libc load() {
        if (Native.LONG_SIZE != 8 || Native.POINTER_SIZE != 8) {
            throw new UnsupportedOperationException("Scanout's libc binding needs a 64-bit (LP64) platform, this one has "
                    + Native.LONG_SIZE + "-byte longs and " + Native.POINTER_SIZE + "-byte pointers");
        }
        return Native.load("c", Libc.class);
    }
}
