package io.github.scanout.api;

/**
 * The Linux errno values a vGPU, the VFIO core or libc gives Scanout, with their names.
 * Numbers are the x86_64 / generic ones.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1),
    /** No such file or directory. */
    ENOENT(2),
    /** No such process. */
    ESRCH(3),
    /** Interrupted system call. */
    EINTR(4),
    /** I/O error. */
    EIO(5),
    /** No such device or address. */
    ENXIO(6),
    /** Argument list too long. */
    E2BIG(7),
    /** Bad file descriptor. */
    EBADF(9),
    /** Try again. */
    EAGAIN(11),
    /** Out of memory. */
    ENOMEM(12),
    /** Permission denied. */
    EACCES(13),
    /** Bad address. */
    EFAULT(14),
    /** Device or resource busy. */
    EBUSY(16),
    /** File exists. */
    EEXIST(17),
    /** No such device. */
    ENODEV(19),
    /** Not a directory. */
    ENOTDIR(20),
    /** Invalid argument. */
    EINVAL(22),
    /** File table overflow. */
    ENFILE(23),
    /** Too many open files. */
    EMFILE(24),
    /** Not a typewriter (inappropriate ioctl for the device). */
    ENOTTY(25),
    /** File too large. */
    EFBIG(27),
    /** No space left on device. */
    ENOSPC(28),
    /** Illegal seek. */
    ESPIPE(29),
    /** Read-only file system. */
    EROFS(30),
    /** Result out of range. */
    ERANGE(34),
    /** Function not implemented. */
    ENOSYS(38),
    /** Operation not supported. */
    EOPNOTSUPP(95),
    /** Connection timed out. */
    ETIMEDOUT(110);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** {@return the errno number} */
    public int number() {
        return number;
    }

    /**
     * The named errno.
     *
     * @param number an errno number
     * @return the named errno, or {@code null} when Scanout has no name for it
     */
    public static Errno of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e;
            }
        }
        return null;
    }

    /**
     * The errno's name, for messages.
     *
     * @param number an errno number
     * @return {@code "EINVAL"}, or {@code "errno 123"} for a number without a name
     */
    public static String name(int number) {
        Errno e = of(number);
        return e == null ? "errno " + number : e.name();
    }
}
