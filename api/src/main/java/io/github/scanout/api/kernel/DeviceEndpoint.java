package io.github.scanout.api.kernel;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.input.InputTarget;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something that can be opened as a VFIO device file: a simulated vGPU, or the device a running
 * VM's VMM holds, borrowed from it ({@code vm:}, {@code libvirt:}, {@code fd:}). (Real mdevs named
 * by UUID are opened by core through the VFIO group or cdev path.) The endpoint outlives its
 * opens, as an mdev outlives the processes that open it.
 */
@ConsumerType
public interface DeviceEndpoint {

    /**
     * A short name for logs.
     *
     * @return the name, for example {@code sim:mdpy-xga}
     */
    String name();

    /**
     * Opens the device.
     *
     * @param host the real kernel, for memfds and real mappings behind simulated ones
     * @return the kernel to make every call on the device fd through, and the fd
     * @throws DeviceException when the device cannot be opened, saying why
     */
    OpenDevice open(Kernel host) throws DeviceException;

    /**
     * Where viewers' keyboard and pointer input for this device goes, if it takes any. Like the
     * endpoint, the target outlives the device's opens: while the device is not open it drops
     * what it gets. The pipeline hands it to the sinks that forward input
     * ({@link io.github.scanout.api.input.InputForwarder}).
     *
     * <p>Threads: may be called from any thread.
     *
     * @return the target; empty (the default) for a view-only device
     * @since 0.4.0
     */
    default Optional<InputTarget> input() {
        return Optional.empty();
    }

    /**
     * What the device says changed in its primary plane, if it says so. Like the endpoint, the
     * log outlives the device's opens; after each open its first answer is
     * {@link io.github.scanout.api.Damage#UNKNOWN}. The pipeline asks for it when it opens the
     * device.
     *
     * <p>Threads: may be called from any thread.
     *
     * @return the log; empty (the default) for a device that does not say (then the pipeline
     *     looks at the pixels)
     * @since 0.5.0
     */
    default Optional<DamageLog> damage() {
        return Optional.empty();
    }

    /**
     * An open device file.
     *
     * <p>{@code gone} completes, with a one-line reason, when the device stops being usable for
     * good while the fd is still open: a borrowed device whose VMM exited ("the VMM (PID 1234)
     * exited"). The user of the device then stops calling it and closes the fd and everything
     * made from it (mappings, dma-bufs) promptly, so that the host can tear the device down.
     * It never completes for a device this process opened itself. Completing it exceptionally
     * or cancelling it means nothing.
     *
     * @param kernel the kernel every call on {@code fd}, and on fds it hands out, must go through
     * @param fd the device fd; closing it through {@code kernel} closes the device
     * @param gone completes when the device is gone for good (see above)
     * @since 0.2.0 ({@code gone})
     */
    record OpenDevice(Kernel kernel, int fd, CompletionStage<String> gone) {

        /**
         * Checks that {@code gone} is given.
         *
         * @param kernel the kernel every call on {@code fd} must go through
         * @param fd the device fd
         * @param gone completes when the device is gone for good
         */
        public OpenDevice {
            Objects.requireNonNull(gone, "gone");
        }

        /**
         * A device that is never gone while open: the form of 0.1.0.
         *
         * @param kernel the kernel every call on {@code fd} must go through
         * @param fd the device fd
         */
        public OpenDevice(Kernel kernel, int fd) {
            this(kernel, fd, new CompletableFuture<>());
        }
    }
}
