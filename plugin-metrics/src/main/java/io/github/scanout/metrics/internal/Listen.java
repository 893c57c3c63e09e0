package io.github.scanout.metrics.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

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
        String host;
        String portText;
        int colon = listen.lastIndexOf(':');
        if (listen.startsWith("[")) {
            int close = listen.indexOf(']');
            if (close < 0 || close + 1 >= listen.length() || listen.charAt(close + 1) != ':') {
                throw bad(listen, "HOST:PORT, [IPv6]:PORT or PORT, for example 127.0.0.1:9464");
            }
            host = listen.substring(1, close);
            portText = listen.substring(close + 2);
        } else if (colon < 0) {
            host = "127.0.0.1";
            portText = listen;
        } else if (listen.indexOf(':') != colon) {
            throw bad(listen, "HOST:PORT, [IPv6]:PORT or PORT (write an IPv6 address in brackets)");
        } else {
            host = colon == 0 ? "127.0.0.1" : listen.substring(0, colon);
            portText = listen.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw bad(listen, "a port from 0 to 65535 (0 picks a free one), as HOST:PORT or PORT");
        }
        if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw bad(listen, "a host name or address before the ':'");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("listen = " + listen + ": host '" + host + "' is not known");
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("listen = " + listen + " is not a loopback address: this version serves"
                    + " metrics on loopback only (no TLS, no authentication); let Prometheus scrape on the same host, or"
                    + " put a reverse proxy with TLS and authentication in front");
        }
        return new InetSocketAddress(address, port);
    }

    private static IllegalArgumentException bad(String value, String expected) {
        return new IllegalArgumentException("listen = " + value + ": expected " + expected);
    }
}
