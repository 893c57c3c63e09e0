/**
 * Helpers for plane-source and sink authors: the pieces the bundled sources and sinks share,
 * for vendors writing a {@link io.github.scanout.api.source.PlaneSource} for their own buffer
 * type or a {@link io.github.scanout.api.sink.FrameSink}.
 * <ul>
 *   <li>{@link io.github.scanout.api.support.ConfigKey} and
 *       {@link io.github.scanout.api.support.ConfigReader}: one way to read a configuration,
 *       from the keys an {@code @ObjectClassDefinition} declares, with one message format for a
 *       bad value (source, key, value, rule), one warning for unknown keys, and the old
 *       camel-case spellings of dotted keys read with a deprecation warning;</li>
 *   <li>{@link io.github.scanout.api.support.Reporter}: where a session's operator messages
 *       go, one line each ({@code System.Logger} in production, a list in tests);</li>
 *   <li>{@link io.github.scanout.api.support.TransientRetry}: back-off after transient device
 *       errors (ENOMEM, EAGAIN, EINTR, EBUSY), reported once per episode, never once per
 *       poll;</li>
 *   <li>{@link io.github.scanout.api.support.SnapshotPool}: a bounded pool of direct buffers
 *       for consistent copies of one plane, so memory is bounded and steady state allocates
 *       nothing per frame.</li>
 * </ul>
 * Plain Java: no native, OSGi or other runtime types (the metatype is read with the JDK's XML
 * parser).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.github.scanout.api.support;
