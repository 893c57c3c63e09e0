package io.github.scanout.source.region.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The keys of the configuration of the region plane source, PID {@value RegionPlaneSource#PID}, read from the
 * raw properties with the configuration toolkit ({@link RegionSettings#from(java.util.Map)}); dotted
 * keys are spelt with an underscore here.
 */
@ObjectClassDefinition(name = "Scanout region plane source",
        description = "Reads vGPU planes from a device region (VFIO_GFX_PLANE_TYPE_REGION), as the kernel's mdpy offers them.")
public @interface RegionConfig {

    @AttributeDefinition(name = "Query the cursor plane",
            description = "Ask the device for a cursor plane. Off by default: region devices have none (mdpy answers a"
                    + " cursor query with its primary plane, which validation rejects), and QEMU never asks.")
    boolean query_cursor() default RegionSettings.DEFAULT_QUERY_CURSOR;

    @AttributeDefinition(name = "Snapshot buffers per plane",
            description = "Pooled buffers for consistent copies; bounds memory to this many frames per plane.", min = "1")
    int snapshot_buffers() default RegionSettings.DEFAULT_SNAPSHOT_BUFFERS;

    @AttributeDefinition(name = "Longest back-off (ms)",
            description = "Longest wait between retries after transient errors (ENOMEM, EAGAIN).", min = "0", max = "3600000")
    long max_backoff_millis() default RegionSettings.DEFAULT_MAX_BACKOFF_MILLIS;
}
