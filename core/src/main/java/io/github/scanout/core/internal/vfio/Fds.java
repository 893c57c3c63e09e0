package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;

/** Small fd helpers shared by the device, its dma-bufs and the opener. */
final class Fds {
    private Fds() {}

    private static final System.Logger LOG = System.getLogger(Fds.class.getName());

    /** Sets FD_CLOEXEC on an fd Scanout received from the kernel (not opened with O_CLOEXEC). */
    static void setCloexec(Kernel kernel, int fd, String what) throws DeviceException {
        try {
            kernel.fcntl(fd, Linux.F_SETFD, Linux.FD_CLOEXEC);
        } catch (DeviceException e) {
            throw new DeviceException("setting FD_CLOEXEC on " + what + " (fd " + fd + ")", e);
        }
    }

    /**
     * Closes an fd on an error path: a failure is attached to {@code cause} as suppressed (or
     * logged when there is no cause) and never replaces it.
     */
    static void closeQuietly(Kernel kernel, int fd, String what, Throwable cause) {
        try {
            kernel.close(fd);
        } catch (DeviceException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "closing " + what + " (fd " + fd + ") failed: " + e.getMessage());
            }
        }
    }
}
