/**
 * The web console: {@link io.github.scanout.web.internal.WebComponent} serves
 * {@link io.github.scanout.web.internal.WebServer}'s page and read-only JSON on loopback. Not
 * API.
 *
 * <p>HTTP: the JDK's server ({@code com.sun.net.httpserver}), the approach the metrics endpoint
 * (plugin-metrics) already uses, rather than a second one (the OSGi HTTP Whiteboard with Felix
 * HTTP Jetty would add Jetty, a servlet API and the whiteboard bundles to the distribution for
 * a handful of GET routes; the JDK's {@code HttpsServer} takes TLS when non-loopback binds come).
 *
 * <p>The model: the JSON and the page come from the launcher's one implementation of the
 * {@code scanout ctl --json} model, which the launcher registers as a
 * {@code java.util.function.Function} service with the property {@code scanout.ctl.model}
 * (a JDK type: bundles cannot see launcher classes). The pictures come from core's
 * {@link io.github.scanout.core.FrameSnapshot}, as {@code scanout:snapshot}'s do.
 */
package io.github.scanout.web.internal;
