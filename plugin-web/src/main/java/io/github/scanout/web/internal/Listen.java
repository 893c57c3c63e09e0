package io.github.scanout.web.internal;

import io.github.scanout.api.support.ListenAddress;
import java.net.InetSocketAddress;

/**
 * The console's {@code listen} value, parsed by api.support's {@link ListenAddress}. Only
 * loopback addresses are accepted: this version serves without TLS or authentication.
 */
final class Listen {
    private Listen() {}

    /**
     * @throws IllegalArgumentException one line naming the value and what is accepted
     */
    static InetSocketAddress parse(String text) {
        String listen = text == null || text.isBlank() ? WebComponent.DEFAULT_LISTEN : text.trim();
        InetSocketAddress bound;
        try {
            bound = ListenAddress.parse(listen, WebComponent.DEFAULT_LISTEN);
        } catch (ListenAddress.UnknownHost e) {
            throw new IllegalArgumentException("listen = " + listen + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("listen = " + listen + ": expected " + e.getMessage());
        }
        if (!bound.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("listen = " + listen + " is not a loopback address: this version serves"
                    + " the web console on loopback only (no TLS, no authentication); browse on this host, through an"
                    + " SSH tunnel, or through a reverse proxy with TLS and authentication");
        }
        return bound;
    }
}
