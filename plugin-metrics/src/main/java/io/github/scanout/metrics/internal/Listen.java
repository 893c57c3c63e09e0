package io.github.scanout.metrics.internal;

import io.github.scanout.api.support.ListenAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The endpoint's {@code listen} value: {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code PORT}
 * (on 127.0.0.1). Only loopback addresses are accepted: this version serves the metrics without
 * TLS or authentication.
 */
final class Listen {
    private Listen() {}

    /**
     * @throws IllegalArgumentException one line naming the value and what is accepted
     */
    static InetSocketAddress parse(String text) {
        String listen = text == null || text.isBlank() ? MetricsComponent.DEFAULT_LISTEN : text.trim();
        InetSocketAddress bound;
        try {
            bound = ListenAddress.parse(listen, MetricsComponent.DEFAULT_LISTEN);
        } catch (ListenAddress.UnknownHost e) {
            throw new IllegalArgumentException("listen = " + listen + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("listen = " + listen + ": expected " + e.getMessage());
        }
        InetAddress address = bound.getAddress();
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("listen = " + listen + " is not a loopback address: this version serves"
                    + " metrics on loopback only (no TLS, no authentication); let Prometheus scrape on the same host, or"
                    + " put a reverse proxy with TLS and authentication in front");
        }
        return bound;
    }
}
