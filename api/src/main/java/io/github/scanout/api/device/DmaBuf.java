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

    /** The fd, with FD_CLOEXEC set; valid until {@link #close()}. */
    int fd();

    /** Its size from {@code lseek(fd, 0, SEEK_END)}. */
    long size();

    /** A second owned fd ({@code dup}) for another holder, with FD_CLOEXEC set. */
    DmaBuf duplicate() throws DeviceException;

    /**
     * Maps the whole buffer read-only and shared.
     *
     * @throws DeviceException carrying the producer's errno (EINVAL, ENODEV, EACCES...) when it
     *     refuses CPU access
     */
    MappedMemory mapReadOnly() throws DeviceException;

    /** {@code DMA_BUF_IOCTL_SYNC} START|READ: call before reading through a mapping. */
    void beginCpuRead() throws DeviceException;

    /** {@code DMA_BUF_IOCTL_SYNC} END|READ: call after reading. */
    void endCpuRead() throws DeviceException;

    /** Closes the fd. Idempotent. */
    @Override
    void close();
}
