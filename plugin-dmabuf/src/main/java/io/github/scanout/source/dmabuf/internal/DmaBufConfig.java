package io.github.scanout.source.dmabuf.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The keys of the configuration of the dma-buf plane source, PID {@value DmaBufPlaneSource#PID}, read from the
 * raw properties with the configuration toolkit ({@link DmaBufSettings#from(java.util.Map)}); dotted
 * keys are spelt with an underscore here.
 */
@ObjectClassDefinition(name = "Scanout dma-buf plane source",
        description = "Reads vGPU planes as dma-bufs (VFIO_GFX_PLANE_TYPE_DMABUF): Intel GVT-g, the kernel's mbochs.")
public @interface DmaBufConfig {

    @AttributeDefinition(name = "Cached buffers",
            description = "dma-bufs kept open per device, most recently used first (QEMU keeps 5).", min = "1")
    int cache_entries() default DmaBufSettings.DEFAULT_CACHE_ENTRIES;

    @AttributeDefinition(name = "Cached bytes",
            description = "Bytes of dma-bufs kept open per device; the buffer in use is kept even when larger.",
            min = "1")
    long cache_bytes() default DmaBufSettings.DEFAULT_CACHE_BYTES;

    @AttributeDefinition(name = "Snapshot buffers per plane",
            description = "Pooled buffers for consistent and detiled copies; bounds memory to this many frames per plane.",
            min = "1")
    int snapshot_buffers() default DmaBufSettings.DEFAULT_SNAPSHOT_BUFFERS;

    @AttributeDefinition(name = "Longest back-off (ms)",
            description = "Longest wait between retries after transient errors (ENOMEM, EAGAIN).", min = "0", max = "3600000")
    long max_backoff_millis() default DmaBufSettings.DEFAULT_MAX_BACKOFF_MILLIS;
}
