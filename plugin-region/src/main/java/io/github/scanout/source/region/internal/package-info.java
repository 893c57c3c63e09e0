/**
 * The region plane source: {@link io.github.scanout.source.region.internal.RegionPlaneSource}.
 * Not exported; the bundle provides a {@code PlaneSource} service, and
 * {@link io.github.scanout.source.region.RegionSources} for embedding.
 */
package io.github.scanout.source.region.internal;
