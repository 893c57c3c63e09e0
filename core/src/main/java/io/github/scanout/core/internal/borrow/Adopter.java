package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a borrowed fd (one of this process's fds now) into an open device. The real one checks
 * that the fd is a VFIO device and uses it through the host kernel; tests put a simulated device
 * behind an fd a child process held.
 */
@FunctionalInterface
public interface Adopter {

    /**
     * @param host the kernel to use the fd through
     * @param fd the borrowed fd, owned by the adopter from now on (closed by it on failure)
     * @param label what messages call the fd
     */
    OpenDevice adopt(Kernel host, int fd, String label) throws DeviceException;

    /** The real one: the fd must be a VFIO device fd ({@code anon_inode:[vfio-device]} or a vfio cdev). */
    static Adopter vfio() {
        return (host, fd, label) -> {
            String link;
            try {
                link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException e) {
                link = "unreadable: " + e.getMessage();
            }
            if (!link.equals(ProcScan.ANON_DEVICE) && !link.startsWith("/dev/vfio/devices/")) {
                try {
                    host.close(fd);
                } catch (DeviceException ignored) {
                    // nothing more to do with it
                }
                throw new DeviceException(label + " is not a VFIO device fd (it is " + link + ")");
            }
            return new OpenDevice(host, fd);
        };
    }
}
