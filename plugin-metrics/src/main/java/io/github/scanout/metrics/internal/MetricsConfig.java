package io.github.scanout.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the Prometheus endpoint (PID {@value MetricsComponent#PID}, one
 * endpoint: {@code conf/io.github.scanout.metrics.cfg}, or {@code scanout run --metrics}).
 */
@ObjectClassDefinition(
        name = "Scanout Prometheus metrics",
        description = "Serves the devices' and sinks' counters as Prometheus text at http://LISTEN/metrics.")
public @interface MetricsConfig {

    @AttributeDefinition(description = "Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1); a "
            + "loopback address only (this version has no TLS or authentication). Port 0 picks a free one "
            + "(the log says which).")
    String listen() default MetricsComponent.DEFAULT_LISTEN;
}
