package io.github.scanout.api.support;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A listener's address as configured: {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code :PORT} or
 * {@code PORT} (the last two on 127.0.0.1), port 0 picking a free one. The one parser of it, for
 * every sink or endpoint that listens (the VNC sink, the metrics endpoint); each caller adds its
 * own rule (loopback only, TLS) and its own message prefix.
 *
 * <p>Stateless; any thread.
 */
public final class ListenAddress {
    private ListenAddress() {}

    /** The host name in the value resolves to no address. */
    public static final class UnknownHost extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownHost(String host) {
            super("host '" + host + "' is not known");
        }
    }

    /**
     * A listen value's host (a name or an address, not resolved) and port.
     *
     * @param host the host as written, without IPv6 brackets
     * @param port the port, 0 to 65535
     */
    public record HostPort(String host, int port) {}

    /**
     * Splits a listen value without resolving its host (for a check that must not look a name up,
     * such as the launcher's before anything starts).
     *
     * @param listen the value, trimmed and not empty
     * @param example an address to show in the message, such as {@code 127.0.0.1:5900}
     * @return its host and port
     * @throws IllegalArgumentException when the value has no such shape; its message is what is
     *     accepted, for the caller to put after "expected"
     */
    public static HostPort split(String listen, String example) {
        String host;
        String portText;
        int colon = listen.lastIndexOf(':');
        if (listen.startsWith("[")) {
            int close = listen.indexOf(']');
            if (close < 0 || close + 1 >= listen.length() || listen.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("HOST:PORT, [IPv6]:PORT or PORT, for example " + example);
            }
            host = listen.substring(1, close);
            portText = listen.substring(close + 2);
        } else if (colon < 0) {
            host = "127.0.0.1";
            portText = listen;
        } else if (listen.indexOf(':') != colon) {
            throw new IllegalArgumentException("HOST:PORT, [IPv6]:PORT or PORT (write an IPv6 address in brackets)");
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
            throw new IllegalArgumentException("a port from 0 to 65535 (0 picks a free one), as HOST:PORT or PORT");
        }
        if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("a host name or address before the ':'");
        }
        return new HostPort(host, port);
    }

    /**
     * Parses and resolves a listen value (already trimmed and not empty: the caller applies its
     * default).
     *
     * @param listen the value
     * @param example an address to show in the message, such as {@code 127.0.0.1:5900}
     * @return the address, resolved
     * @throws UnknownHost when the host resolves to nothing
     * @throws IllegalArgumentException when the value has no such shape; its message is what is
     *     accepted, for the caller to put after "expected"
     */
    public static InetSocketAddress parse(String listen, String example) {
        HostPort hp = split(listen, example);
        try {
            return new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException | SecurityException e) {
            throw new UnknownHost(hp.host());
        }
    }
}
