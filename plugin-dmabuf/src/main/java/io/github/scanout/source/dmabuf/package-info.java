/**
 * The dma-buf plane source's entry point for embedding:
 * {@link io.github.scanout.source.dmabuf.DmaBufSources#create()}. Everything else in the bundle
 * is internal.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.source.dmabuf;
