/**
 * The operator's Gogo commands ({@code scanout:devices}, {@code scanout:sinks},
 * {@code scanout:stats}, {@code scanout:attach}, {@code scanout:detach}, {@code scanout:snapshot}):
 * {@link io.github.scanout.core.internal.shell.ScanoutCommands}, a Declarative Services component
 * that works through the {@link io.github.scanout.core.ManagedPipeline} services and
 * ConfigurationAdmin. Not exported.
 */
package io.github.scanout.core.internal.shell;
