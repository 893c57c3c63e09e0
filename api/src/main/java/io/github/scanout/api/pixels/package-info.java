/**
 * The canonical CPU conversion of every supported DRM format to one 32-bit layout
 * ({@code 0xAARRGGBB} ints, DRM's ARGB8888), shared by the plane sources and every CPU sink so
 * that colours are decided in one place.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.api.pixels;
