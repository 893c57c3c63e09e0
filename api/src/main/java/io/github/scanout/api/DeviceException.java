package io.github.scanout.api;

import java.io.IOException;

/**
 * A device, the kernel or a plane source said no. When the cause is a system call, the
 * exception carries its errno ({@link #errno()}), so callers can tell "unsupported" (EINVAL on
 * a probe) from "try again" (ENOMEM, EAGAIN) from "gone" (ENODEV).
 */
public class DeviceException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The errno of the failed system call, or 0. */
    private final int errno;

    /**
     * An error without an errno (a rule was broken, a name was not found).
     *
     * @param message what went wrong, on what
     */
    public DeviceException(String message) {
        this(message, 0, null);
    }

    /**
     * An error caused by another; it takes the cause's errno when the cause is a
     * {@code DeviceException}.
     *
     * @param message what went wrong, on what
     * @param cause the cause
     */
    public DeviceException(String message, Throwable cause) {
        this(message, cause instanceof DeviceException d ? d.errno : 0, cause);
    }

    /**
     * A failed system call.
     *
     * @param message what was attempted and on what, without the errno (it is appended)
     * @param errno the errno, or 0 for none
     */
    public DeviceException(String message, int errno) {
        this(message, errno, null);
    }

    /**
     * A failed system call with a cause.
     *
     * @param message what was attempted and on what, without the errno (it is appended)
     * @param errno the errno, or 0 for none
     * @param cause the cause, or null
     */
    public DeviceException(String message, int errno, Throwable cause) {
        super(errno == 0 ? message : message + ": " + Errno.name(errno), cause);
        this.errno = errno;
    }

    /** {@return the errno of the failed system call, or 0 when none was involved} */
    public int errno() {
        return errno;
    }

    /**
     * Whether the errno is this one.
     *
     * @param e an errno
     * @return true when it is
     */
    public boolean is(Errno e) {
        return errno == e.number();
    }

    /**
     * Whether trying again later may succeed: ENOMEM (mbochs answers the first query of a new
     * mode with it), EAGAIN, EINTR, EBUSY.
     *
     * @return true for those errnos
     */
    public boolean isTransient() {
        return is(Errno.ENOMEM) || is(Errno.EAGAIN) || is(Errno.EINTR) || is(Errno.EBUSY);
    }

    /** {@return whether the device is gone (ENODEV, ENXIO): stop polling it} */
    public boolean isGone() {
        return is(Errno.ENODEV) || is(Errno.ENXIO);
    }
}
