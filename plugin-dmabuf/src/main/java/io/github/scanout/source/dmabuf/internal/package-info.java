/**
 * The dma-buf plane source: {@link io.github.scanout.source.dmabuf.internal.DmaBufPlaneSource}.
 * Not exported; the bundle provides a {@code PlaneSource} service, and
 * {@link io.github.scanout.source.dmabuf.DmaBufSources} for embedding.
 */
package io.github.scanout.source.dmabuf.internal;
