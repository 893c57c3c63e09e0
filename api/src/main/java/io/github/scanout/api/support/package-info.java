/**
 * Helpers for plugin authors: the pieces Scanout's own plane sources, sinks and pipeline share,
 * for vendors writing a {@link io.github.scanout.api.source.PlaneSource} for their own buffer
 * type or a {@link io.github.scanout.api.sink.FrameSink}. One of each:
 * <ul>
 *   <li>{@link io.github.scanout.api.support.ConfigKey} and
 *       {@link io.github.scanout.api.support.ConfigReader}: one way to read a configuration,
 *       from the keys an {@code @ObjectClassDefinition} declares, with one message format for a
 *       bad value (source, key, value, rule), one warning for unknown keys, and the old
 *       camel-case spellings of dotted keys read with a deprecation warning; and
 *       {@link io.github.scanout.api.support.SinkBundles}, the rule by which a bundle offers a
 *       sink type (its component and metatype), shared by the launcher and the shell;</li>
 *   <li>{@link io.github.scanout.api.support.Reporter}: the operator logging facility, one line
 *       per message ({@code System.Logger} in production, a list in tests), with
 *       {@link io.github.scanout.api.support.ConditionLog} to keep a persisting condition to one
 *       line (once, or once plus periodic summaries);</li>
 *   <li>{@link io.github.scanout.api.support.Backoff}: the back-off policy (doubling up to a
 *       maximum, optionally after free retries), and
 *       {@link io.github.scanout.api.support.TransientRetry}, which applies it to transient device
 *       errors (ENOMEM, EAGAIN, EINTR, EBUSY), reported once per episode, never once per poll;</li>
 *   <li>{@link io.github.scanout.api.support.SnapshotPool}: a bounded pool of direct buffers
 *       for consistent copies of one plane, so memory is bounded and steady state allocates
 *       nothing per frame; {@code snapshot(info, filler)} is the whole pooled snapshot sequence
 *       (take, copy, hand out a lease that gives the buffer back, give it back at once on
 *       failure).</li>
 *   <li>{@link io.github.scanout.api.support.StreamRotation}: the rules of a sink that appends
 *       to stream files (raw, Y4M, recorded video): the names of its files
 *       ({@code NAME.EXT}, {@code NAME-2.EXT} ...), when one is closed and the next started (by
 *       size, by time) and how many old ones are kept.</li>
 *   <li>{@link io.github.scanout.api.support.ListenAddress}: the one parser of a listener's
 *       address, and {@link io.github.scanout.api.support.LoopbackHttpServer}: an HTTP endpoint
 *       served by the JDK (metrics, web console), its listen value, its loopback-only rule
 *       and its bind, plain or with TLS, in one place; {@link io.github.scanout.api.support.TlsFiles}:
 *       a server's TLS identity from PEM files (VNC sink, web console).</li>
 * </ul>
 * Plain Java: no native, OSGi or other runtime types (the metatype is read with the JDK's XML
 * parser, HTTP served with the JDK's {@code jdk.httpserver}, an optional import of the bundle).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.7.0")
package io.github.scanout.api.support;
