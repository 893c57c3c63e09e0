package io.github.scanout.sim;

/**
 * Scanout did something to a simulated device that the real driver does not survive (a
 * use-after-free, an out-of-bounds page access). Thrown from the simulated system call when the
 * device's {@link ViolationPolicy} is {@link ViolationPolicy#THROW}; the message names the call,
 * the values and what the real kernel would do.
 */
public final class SimViolationError extends AssertionError {
    private static final long serialVersionUID = 1L;

    public SimViolationError(String message) {
        super(message);
    }
}
