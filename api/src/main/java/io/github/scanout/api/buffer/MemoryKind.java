package io.github.scanout.api.buffer;

/**
 * Where a buffer's pixels live, so consumers know what they may do with them (the PipeWire SPA
 * idea of buffers that declare their memory type).
 */
public enum MemoryKind {
    /** A read-only view of device memory the guest may change while it is read (zero copy). */
    LIVE_MAPPING(true, false),
    /** A copy taken at one instant into memory Scanout owns: consistent, stable. */
    SNAPSHOT(true, true),
    /** A copy read with {@code pread} because the region cannot be mapped: consistent. */
    PREAD_COPY(true, true),
    /** A read-only mapping of a dma-buf (the producer allowed CPU access). */
    DMABUF_MAPPING(true, false),
    /** A dma-buf fd the CPU cannot map: reach it through an importer (EGL). */
    DMABUF_FD(false, false);

    private final boolean cpuReadable;
    private final boolean consistent;

    MemoryKind(boolean cpuReadable, boolean consistent) {
        this.cpuReadable = cpuReadable;
        this.consistent = consistent;
    }

    /** {@return whether {@link PlaneBuffer#pixels()} works} */
    public boolean cpuReadable() {
        return cpuReadable;
    }

    /** {@return whether the bytes cannot change while they are read} */
    public boolean consistent() {
        return consistent;
    }
}
