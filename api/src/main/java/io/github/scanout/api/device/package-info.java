/**
 * What a plane source may ask of a vGPU: {@link io.github.scanout.api.device.GfxDevice}, with
 * typed, validated answers, owned fds and bounded read-only mappings. Implemented by core.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.api.device;
