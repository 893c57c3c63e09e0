package io.github.scanout.sim;

/**
 * What a simulated device does when Scanout does something that would break the real driver
 * or the kernel (for example calling {@code VFIO_DEVICE_GET_GFX_DMABUF} twice for a live mbochs
 * buffer, a use-after-free that hangs a real kernel). The violation is always recorded
 * ({@link SimDevice#violations()}) and logged; then:
 */
public enum ViolationPolicy {
    /** Throw {@link SimViolationError} from the system call: the loudest failure (default). */
    THROW,
    /**
     * Fail the system call with {@code EEXIST}, an errno no modelled driver path returns, so
     * code under test keeps running and the test asserts on {@link SimDevice#violations()}.
     */
    ERRNO
}
