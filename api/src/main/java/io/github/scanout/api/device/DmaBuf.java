package io.github.scanout.api.device;

import io.github.scanout.api.DeviceException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An owned dma-buf fd with its real size. Many producers (Intel GVT-g, the kernel's mbochs)
 * refuse to let user space map their dma-bufs: {@link #mapReadOnly()} then throws and the
 * pixels can only be reached by importing the fd (EGL) or through an importer service.
 */
@ProviderType
public interface DmaBuf extends AutoCloseable {

    /** {@return the fd, with FD_CLOEXEC set; valid until {@link #close()}, owned by this object} */
    int fd();

    /** {@return its size in bytes, from {@code lseek(fd, 0, SEEK_END)}} */
    long size();

    /**
     * A second owned fd ({@code dup}) for another holder, with FD_CLOEXEC set.
     *
     * @return the new dma-buf; its holder closes it
     * @throws DeviceException when {@code dup} or {@code fcntl} fails, with the errno
     */
    DmaBuf duplicate() throws DeviceException;

    /**
     * Maps the whole buffer read-only and shared.
     *
     * @throws DeviceException carrying the producer's errno (EINVAL, ENODEV, EACCES...) when it
     *     refuses CPU access
     * @return the mapping; the caller owns it and closes it
     */
    MappedMemory mapReadOnly() throws DeviceException;

    /**
     * {@code DMA_BUF_IOCTL_SYNC} START|READ: call before reading through a mapping.
     *
     * @throws DeviceException when the ioctl fails, with the errno
     */
    void beginCpuRead() throws DeviceException;

    /**
     * {@code DMA_BUF_IOCTL_SYNC} END|READ: call after reading.
     *
     * @throws DeviceException when the ioctl fails, with the errno
     */
    void endCpuRead() throws DeviceException;

    /** Closes the fd. Idempotent. */
    @Override
    void close();
}
