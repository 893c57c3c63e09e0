/**
 * The dma-buf plane source: {@link io.github.scanout.source.dmabuf.internal.DmaBufPlaneSource}.
 * Not exported; the bundle provides a {@code PlaneSource} service and nothing else.
 */
package io.github.scanout.source.dmabuf.internal;
