/**
 * The importer SPI: a {@link io.github.scanout.api.importer.BufferImporter} turns a buffer the
 * CPU cannot map (a dma-buf that Intel GVT-g or the kernel's mbochs refuses to mmap) into a
 * CPU-readable snapshot, for sinks that read pixels with the CPU. The GL sink offers one
 * (import into EGL, draw, read back). Register an implementation as an OSGi service; the
 * pipeline asks the registered importers in order and otherwise tells the sink why it gets
 * nothing. Sinks never map buffers themselves.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.api.importer;
