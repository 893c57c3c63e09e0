/**
 * Scanout core's small embedding API: open a vGPU by mdev UUID, sysfs path or {@code scheme:}
 * spec ({@link io.github.scanout.core.Devices}), list the mdevs of the host, and read the
 * process-wide resource counters tests use to find leaks ({@link io.github.scanout.core.Resources}).
 * Everything else in core is internal.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.core;
