/**
 * The kernel boundary, below the struct marshalling: the handful of system calls Scanout's
 * device layer makes ({@link io.github.scanout.api.kernel.Kernel}), the VFIO and dma-buf ABI
 * numbers ({@link io.github.scanout.api.kernel.Vfio}, {@link io.github.scanout.api.kernel.Linux}),
 * the SPI through which simulated devices plug in ({@link io.github.scanout.api.kernel.DeviceProvider}),
 * and {@link io.github.scanout.api.kernel.ForwardingKernel}, the one delegating {@code Kernel} that
 * wrappers extend.
 *
 * <p>Core implements {@code Kernel} with libc through JNA; the simulated vGPUs implement it with
 * models of the kernel drivers that decode and answer the same bytes. Plane sources and sinks
 * never use this package: they see {@link io.github.scanout.api.device.GfxDevice}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package io.github.scanout.api.kernel;
