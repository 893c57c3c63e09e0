/**
 * The Prometheus endpoint: {@link io.github.scanout.metrics.internal.MetricsComponent} serves
 * {@link io.github.scanout.metrics.internal.ScanoutCollector}'s view of the device pipelines on
 * loopback. Not API.
 */
package io.github.scanout.metrics.internal;
