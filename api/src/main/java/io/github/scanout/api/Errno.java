package io.github.scanout.api;

/**
 * The Linux errno values a vGPU, the VFIO core or libc gives Scanout, with their names.
 * Numbers are the x86_64 / generic ones.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12),
    EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), ENOTDIR(20), EINVAL(22), ENFILE(23),
    EMFILE(24), ENOTTY(25), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30), ERANGE(34), ENOSYS(38),
    EOPNOTSUPP(95), ETIMEDOUT(110);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The named errno, or {@code null} when Scanout has no name for it. */
    public static Errno of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e;
            }
        }
        return null;
    }

    /** {@code "EINVAL"}, or {@code "errno 123"} for a number without a name. */
    public static String name(int number) {
        Errno e = of(number);
        return e == null ? "errno " + number : e.name();
    }
}
