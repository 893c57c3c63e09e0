package io.github.scanout.api.kernel;

/** The Linux x86_64 and generic constants the device layer passes to {@link Kernel}. */
public final class Linux {
    private Linux() {}

    /** {@code open(2)} flag: read only. */
    public static final int O_RDONLY = 0;
    /** {@code open(2)} flag: read and write. */
    public static final int O_RDWR = 2;
    /** {@code open(2)} flag: close the fd on {@code exec}. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code mmap(2)} protection: pages may be read. */
    public static final int PROT_READ = 1;
    /** {@code mmap(2)} protection: pages may be written. */
    public static final int PROT_WRITE = 2;
    /** {@code mmap(2)} flag: share the mapping with the file and other mappers. */
    public static final int MAP_SHARED = 1;
    /** {@code mmap(2)} flag: a private copy-on-write mapping. */
    public static final int MAP_PRIVATE = 2;

    /** {@code fcntl(2)} command: read the fd flags. */
    public static final int F_GETFD = 1;
    /** {@code fcntl(2)} command: set the fd flags. */
    public static final int F_SETFD = 2;
    /** fd flag: close the fd on {@code exec}. */
    public static final int FD_CLOEXEC = 1;

    /** {@code lseek(2)} whence: from the start of the file. */
    public static final int SEEK_SET = 0;
    /** {@code lseek(2)} whence: from the end of the file (gives the size of a dma-buf). */
    public static final int SEEK_END = 2;

    /** {@code memfd_create(2)} flag: close the fd on {@code exec}. */
    public static final int MFD_CLOEXEC = 1;

    /** The page size mappings are aligned to, in bytes. */
    public static final int PAGE_SIZE = 4096;

    /** {@code DMA_BUF_IOCTL_SYNC}: {@code _IOW('b', 0, struct dma_buf_sync)}, an 8-byte u64 flags. */
    public static final long DMA_BUF_IOCTL_SYNC = 0x40086200L;
    /** {@code dma_buf_sync} flag: the CPU reads. */
    public static final long DMA_BUF_SYNC_READ = 1;
    /** {@code dma_buf_sync} flag: the CPU writes. */
    public static final long DMA_BUF_SYNC_WRITE = 2;
    /** {@code dma_buf_sync} flag: CPU access begins. */
    public static final long DMA_BUF_SYNC_START = 0;
    /** {@code dma_buf_sync} flag: CPU access ends. */
    public static final long DMA_BUF_SYNC_END = 4;
}
