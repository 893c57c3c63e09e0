package io.github.scanout.source.region.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the region plane source, PID {@value RegionPlaneSource#PID}. */
@ObjectClassDefinition(name = "Scanout region plane source",
        description = "Reads vGPU planes from a device region (VFIO_GFX_PLANE_TYPE_REGION), as the kernel's mdpy offers them.")
public @interface RegionConfig {

    @AttributeDefinition(name = "Query the cursor plane",
            description = "Ask the device for a cursor plane. Off by default: region devices have none (mdpy answers a"
                    + " cursor query with its primary plane, which validation rejects), and QEMU never asks.")
    boolean queryCursor() default RegionSettings.DEFAULT_QUERY_CURSOR;

    @AttributeDefinition(name = "Snapshot buffers per plane",
            description = "Pooled buffers for consistent copies; bounds memory to this many frames per plane.", min = "1")
    int snapshotBuffers() default RegionSettings.DEFAULT_SNAPSHOT_BUFFERS;

    @AttributeDefinition(name = "Longest back-off (ms)",
            description = "Longest wait between retries after transient errors (ENOMEM, EAGAIN).", min = "0")
    long maxBackoffMillis() default RegionSettings.DEFAULT_MAX_BACKOFF_MILLIS;
}
