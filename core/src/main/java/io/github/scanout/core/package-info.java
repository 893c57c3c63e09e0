/**
 * Scanout core's small embedding API: open a vGPU by mdev UUID, sysfs path or {@code scheme:}
 * spec ({@link io.github.scanout.core.Devices}), list the mdevs of the host, read the
 * process-wide resource counters tests use to find leaks ({@link io.github.scanout.core.Resources}),
 * and run a device's capture pipeline without OSGi ({@link io.github.scanout.core.Pipeline}:
 * plane source chosen by probe, a capture thread, sinks on their own threads with bounded
 * drop-oldest queues, {@link io.github.scanout.core.PipelineStats stats}).
 * {@link io.github.scanout.core.ManagedPipeline} is the management view the operator commands use;
 * {@link io.github.scanout.core.FrameSnapshot} takes its current picture once.
 * Everything else in core is internal.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package io.github.scanout.core;
