/**
 * Buffers with leases (the wlroots {@code wlr_buffer} model): a producer hands out a
 * {@link io.github.scanout.api.buffer.PlaneBuffer}, every holder owns one lease, and the fd or
 * mapping behind it is released when the last lease closes. {@link io.github.scanout.api.buffer.Leases}
 * counts live leases and reports leases that were never closed. Producers make buffers with the
 * named factories ({@code PlaneBuffer.snapshot}, {@code liveMapping}, {@code dmaBufOnly}) or, for
 * the rest, {@code PlaneBuffer.create}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package io.github.scanout.api.buffer;
