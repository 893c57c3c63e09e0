/**
 * Simulated vGPUs for tests and demos: models of the kernel's {@code mdpy} (region display)
 * and {@code mbochs} (dma-buf display) samples and of Intel GVT-g, plugged in <em>below</em>
 * the struct marshalling. Each device is a {@link io.github.scanout.api.kernel.DeviceEndpoint}
 * whose kernel decodes the same ioctl bytes the Linux driver would and answers with real fds
 * (memfds of the host kernel), so everything above it runs exactly as on a real vGPU.
 *
 * <p>Entry points: {@link io.github.scanout.sim.SimDevices#create(String)} for {@code sim:}
 * specs, the typed factories {@link io.github.scanout.sim.MdpyDevice#create},
 * {@link io.github.scanout.sim.MbochsDevice#create} and {@link io.github.scanout.sim.GvtDevice#create},
 * and {@link io.github.scanout.sim.SimDeviceProvider} (scheme {@code sim}) for
 * {@code ServiceLoader} and OSGi.
 *
 * <p>Test helpers for plane-source authors (Scanout's own and vendors'): hooks for injecting
 * hostile answers, {@link io.github.scanout.sim.ScriptedDevice}, which rewrites a device's raw
 * plane and region answers below the marshalling so they go through the real decoding and
 * validation; and {@link io.github.scanout.sim.CountingDevice}, which records the calls a
 * plane session makes on a {@link io.github.scanout.api.device.GfxDevice}.
 *
 * <p>Extension point for vendors' own buffer types: a {@link io.github.scanout.sim.SimBufferType}
 * (the device side of the type: plane answers and a region) added to any simulated device by
 * {@link io.github.scanout.sim.ExtendedDevice}, and made reachable by spec in a running Scanout
 * with {@link io.github.scanout.sim.ExtendedDevice#provider}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package io.github.scanout.sim;
