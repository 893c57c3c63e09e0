/**
 * Scanout's value types: planes ({@link io.github.scanout.api.PlaneInfo}), pixel formats and
 * modifiers, buffer and plane types, and the exceptions of the device layer. The SPIs are in the
 * subpackages: {@code source} and {@code sink} for plane sources and frame sinks, {@code device}
 * for an open vGPU, {@code kernel} for the system calls and device providers.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package io.github.scanout.api;
