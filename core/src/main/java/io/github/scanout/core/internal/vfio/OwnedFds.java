package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/**
 * The fds a device fd depends on (a VFIO group and container, or an iommufd): they must stay
 * open as long as the device and are closed with it, last opened first. Also used on open
 * paths to close what was opened so far when a step fails.
 *
 * <p>Threads: built on one thread; {@link #close()} is idempotent and may run on any thread.
 */
public final class OwnedFds implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(OwnedFds.class.getName());

    private record Entry(int fd, String what) {}

    private final Kernel kernel;
    private final List<Entry> fds = new ArrayList<>();
    private boolean closed;

    public OwnedFds(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Takes ownership of {@code fd}. */
    public synchronized int add(int fd, String what) {
        if (closed) {
            throw new IllegalStateException("already closed");
        }
        fds.add(new Entry(fd, what));
        return fd;
    }

    /** The fds held, oldest first (for tests and logs). */
    public synchronized List<Integer> fds() {
        return fds.stream().map(Entry::fd).toList();
    }

    /** Closes every fd, newest first; failures are logged. Idempotent. */
    @Override
    public void close() {
        closeAll(null);
    }

    /**
     * Closes every fd, newest first, attaching close failures to {@code cause} as suppressed
     * exceptions (or logging them when it is null). Idempotent.
     */
    public synchronized void closeAll(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = fds.size() - 1; i >= 0; i--) {
            Entry e = fds.get(i);
            try {
                kernel.close(e.fd());
            } catch (DeviceException | RuntimeException x) {
                if (cause != null) {
                    cause.addSuppressed(x);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "closing " + e.what() + " (fd " + e.fd() + ") failed: " + x.getMessage());
                }
            }
        }
    }
}
