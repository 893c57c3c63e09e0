/**
 * The input seam: keyboard and pointer input from viewers (a VNC sink's clients, a browser) to the
 * device they watch. Two small role interfaces, in the style of wlroots' seats:
 * {@link io.github.scanout.api.input.InputTarget}, offered by a device that can take input (its
 * endpoint's {@link io.github.scanout.api.kernel.DeviceEndpoint#input()}; QEMU's D-Bus display),
 * and {@link io.github.scanout.api.input.InputForwarder}, implemented by a sink that forwards its
 * viewers' input. When the pipeline attaches a sink that is an {@code InputForwarder}, it hands the
 * sink its device's target, or none for a view-only device. Whether a sink forwards anything is
 * the sink's configuration (view-only by default): input is a control right over the device.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.github.scanout.api.input;
