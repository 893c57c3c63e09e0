package io.github.scanout.api.kernel;

/** The Linux x86_64 and generic constants the device layer passes to {@link Kernel}. */
public final class Linux {
    private Linux() {}

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;

    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int FD_CLOEXEC = 1;

    public static final int SEEK_SET = 0;
    public static final int SEEK_END = 2;

    public static final int MFD_CLOEXEC = 1;

    public static final int PAGE_SIZE = 4096;

    /** {@code DMA_BUF_IOCTL_SYNC}: {@code _IOW('b', 0, struct dma_buf_sync)}, an 8-byte u64 flags. */
    public static final long DMA_BUF_IOCTL_SYNC = 0x40086200L;
    public static final long DMA_BUF_SYNC_READ = 1;
    public static final long DMA_BUF_SYNC_WRITE = 2;
    public static final long DMA_BUF_SYNC_START = 0;
    public static final long DMA_BUF_SYNC_END = 4;
}
