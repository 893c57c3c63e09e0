/**
 * The web console: {@link io.github.scanout.web.internal.WebComponent} checks the configuration,
 * configures the HTTP service and registers {@link io.github.scanout.web.internal.WebServer}'s
 * routes, which the OSGi HTTP Whiteboard serves. Not API.
 *
 * <p>HTTP: the OSGi HTTP Whiteboard 1.1 (javax.servlet) on Felix HTTP Jetty, as issue 20 asks:
 * a {@link io.github.scanout.web.internal.ConsoleContext} ({@code ServletContextHelper}) whose
 * {@code handleSecurity} does the HTTP Basic logins and roles of
 * {@link io.github.scanout.web.internal.Access}, and one
 * {@link io.github.scanout.web.internal.ConsoleServlet} at {@code /*}, both DS components. Felix
 * HTTP is configured through ConfigAdmin (PID {@code org.apache.felix.http}) to listen on the
 * console's address alone; the launcher's framework properties keep it off until then. The
 * metrics endpoint (plugin-metrics) keeps the JDK's server: one GET route needs no servlet
 * container.
 *
 * <p>The model: the JSON and the page come from the launcher's one implementation of the
 * {@code scanout ctl --json} model, which the launcher registers as a
 * {@code java.util.function.Function} service with the property {@code scanout.ctl.model}
 * (a JDK type: bundles cannot see launcher classes). The pictures come from core's
 * {@link io.github.scanout.core.FrameSnapshot}, as {@code scanout:snapshot}'s do.
 */
package io.github.scanout.web.internal;
