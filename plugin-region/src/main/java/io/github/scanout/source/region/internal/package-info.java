/**
 * The region plane source: {@link io.github.scanout.source.region.internal.RegionPlaneSource}.
 * Not exported; the bundle provides a {@code PlaneSource} service and nothing else.
 */
package io.github.scanout.source.region.internal;
