/**
 * The sink SPI: a {@link io.github.scanout.api.sink.FrameSink} receives
 * {@link io.github.scanout.api.sink.Frame}s and cursor updates on its own thread. Register an
 * implementation as an OSGi service, usually one per factory configuration.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package io.github.scanout.api.sink;
