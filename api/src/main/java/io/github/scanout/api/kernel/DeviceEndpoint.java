package io.github.scanout.api.kernel;

import io.github.scanout.api.DeviceException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something that can be opened as a VFIO device file: a simulated vGPU. (Real mdevs are opened
 * by core through the VFIO group or cdev path.) The endpoint outlives its opens, as an mdev
 * outlives the processes that open it.
 */
@ConsumerType
public interface DeviceEndpoint {

    /** A short name for logs, for example {@code sim:mdpy-xga}. */
    String name();

    /**
     * Opens the device.
     *
     * @param host the real kernel, for memfds and real mappings behind simulated ones
     * @return the kernel to make every call on the device fd through, and the fd
     */
    OpenDevice open(Kernel host) throws DeviceException;

    /**
     * An open device file.
     *
     * @param kernel the kernel every call on {@code fd}, and on fds it hands out, must go through
     * @param fd the device fd; closing it through {@code kernel} closes the device
     */
    record OpenDevice(Kernel kernel, int fd) {}
}
