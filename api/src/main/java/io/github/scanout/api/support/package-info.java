/**
 * Helpers for plane-source authors: the pieces the bundled region and dma-buf sources share,
 * for vendors writing a {@link io.github.scanout.api.source.PlaneSource} for their own buffer
 * type.
 * <ul>
 *   <li>{@link io.github.scanout.api.support.Reporter}: where a session's operator messages
 *       go, one line each ({@code System.Logger} in production, a list in tests);</li>
 *   <li>{@link io.github.scanout.api.support.TransientRetry}: back-off after transient device
 *       errors (ENOMEM, EAGAIN, EINTR, EBUSY), reported once per episode, never once per
 *       poll;</li>
 *   <li>{@link io.github.scanout.api.support.SnapshotPool}: a bounded pool of direct buffers
 *       for consistent copies of one plane, so memory is bounded and steady state allocates
 *       nothing per frame.</li>
 * </ul>
 * Plain Java: no native, OSGi or other runtime types.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.api.support;
