/**
 * The buffer-type SPI: a {@link io.github.scanout.api.source.PlaneSource} turns one kind of
 * kernel buffer (dma-buf, region, or a vendor's own) into {@link io.github.scanout.api.buffer.PlaneBuffer}s.
 * Register an implementation as an OSGi service (a Declarative Services {@code @Component}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package io.github.scanout.api.source;
