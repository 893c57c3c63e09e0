package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.support.ListenAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checked settings of one VNC sink, from its configuration properties.
 *
 * @param device the device it serves, as configured
 * @param address where to listen (resolved)
 * @param listenText the {@code listen} value as given, for messages
 * @param port the TCP port, 0 for one the system picks
 * @param passwordFile the file holding the VNC password, or null for no authentication
 * @param insecure the operator accepts a listener off loopback without encryption
 * @param maxViewers connections served at once
 * @param timeoutSeconds a viewer whose socket takes nothing for this long is dropped
 * @param tlsCert the PEM certificate (chain) for VeNCrypt and wss://, or null for no TLS
 * @param tlsKey the PEM private key of {@code tlsCert}, or null
 * @param unixPath the Unix-domain socket to listen on instead of TCP ({@code listen=unix:PATH}), or null
 * @param websocketOrigins the Origin values of browser pages allowed to open the WebSocket ({@code *}: any)
 * @param websocketPort the TCP port of the WebSocket listener (on {@code address}), 0 for a free
 *     one, -1 for none
 * @param input viewers' keys and pointer go to the device ({@code input=true}); false: view-only
 */
record VncOptions(String device, InetAddress address, String listenText, int port, Path passwordFile,
        boolean insecure, int maxViewers, int timeoutSeconds, Path tlsCert, Path tlsKey, Path unixPath,
        int websocketPort, java.util.Set<String> websocketOrigins, boolean input) {

    static final String LISTEN = "listen";
    static final String PASSWORD_FILE = "password.file";
    static final String INSECURE = "insecure";
    static final String MAX_VIEWERS = "max.viewers";
    static final String TIMEOUT = "timeout";
    static final String TLS_CERT = "tls.cert";
    static final String TLS_KEY = "tls.key";
    static final String WEBSOCKET = "websocket";
    static final String WEBSOCKET_ORIGINS = "websocket.origins";
    static final String INPUT = "input";
    static final String SINK_NAME = "sink.name";
    static final String UNIX_PREFIX = "unix:";
    /** The keys a VNC sink reads (besides {@value #SINK_NAME}). */
    static final List<String> KEYS = List.of("device", LISTEN, PASSWORD_FILE, INSECURE, MAX_VIEWERS, TIMEOUT, TLS_CERT,
            TLS_KEY, WEBSOCKET, WEBSOCKET_ORIGINS, INPUT);
    static final String DEFAULT_LISTEN = "127.0.0.1:5900";

    private static final String PREFIX = "vnc sink configuration: ";

    /**
     * Reads and checks a configuration.
     *
     * @throws IllegalArgumentException starting "vnc sink configuration: " and naming the key,
     *     the value and what is accepted
     */
    static VncOptions parse(Map<String, ?> p) {
        String device = text(p, "device", "");
        String listen = text(p, LISTEN, DEFAULT_LISTEN).trim();
        if (listen.isEmpty()) {
            listen = DEFAULT_LISTEN;
        }
        Path unixPath = null;
        if (listen.startsWith(UNIX_PREFIX)) {
            String path = listen.substring(UNIX_PREFIX.length());
            if (path.isEmpty() || path.indexOf(0) >= 0 || !path.startsWith("/")) {
                throw bad(LISTEN, listen.replace('\0', '?'), "unix:/absolute/path for a Unix-domain socket");
            }
            if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                throw bad(LISTEN, listen, "a Unix socket path of at most 107 bytes (the kernel's limit)");
            }
            unixPath = Path.of(path);
            listen = DEFAULT_LISTEN.replace("5900", "0"); // a loopback address for the checks below; nothing binds it
        }
        InetSocketAddress bound;
        try {
            bound = ListenAddress.parse(listen, DEFAULT_LISTEN);
        } catch (ListenAddress.UnknownHost e) {
            throw new IllegalArgumentException(PREFIX + LISTEN + "=" + listen + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw bad(LISTEN, listen, e.getMessage());
        }
        InetAddress address = bound.getAddress();
        int port = bound.getPort();
        Path passwordFile = null;
        Object pf = p.get(PASSWORD_FILE);
        if (pf != null && !pf.toString().isBlank()) {
            String s = pf.toString().trim();
            if (s.indexOf(0) >= 0) {
                throw bad(PASSWORD_FILE, s.replace('\0', '?'), "a file name without NUL");
            }
            try {
                passwordFile = Path.of(s);
            } catch (InvalidPathException e) {
                throw bad(PASSWORD_FILE, s, "a file name");
            }
        }
        boolean insecure = bool(p, INSECURE, false);
        boolean input = bool(p, INPUT, false);
        int maxViewers = whole(p, MAX_VIEWERS, 16, 1, 1000);
        int timeout = whole(p, TIMEOUT, 30, 1, 3600);
        Path tlsCert = file(p, TLS_CERT);
        Path tlsKey = file(p, TLS_KEY);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException(PREFIX + (tlsCert == null ? TLS_CERT : TLS_KEY)
                    + " is missing: tls.cert and tls.key go together (the certificate and its private key, PEM files)");
        }
        int websocket = p.get(WEBSOCKET) == null || p.get(WEBSOCKET).toString().isBlank() ? -1
                : whole(p, WEBSOCKET, -1, 0, 65535);
        if (unixPath != null && (tlsCert != null || websocket >= 0)) {
            throw new IllegalArgumentException(PREFIX + LISTEN + "=" + text(p, LISTEN, "")
                    + ": a Unix-domain socket takes neither tls.cert nor websocket (it is reached only from this machine)");
        }
        if (!address.isLoopbackAddress() && !insecure && (tlsCert == null || passwordFile == null)) {
            throw new IllegalArgumentException(PREFIX + LISTEN + "=" + listen + " is not a loopback address: viewers "
                    + "would connect over the network " + (tlsCert == null ? "unencrypted" : "encrypted")
                    + (passwordFile == null ? " and without a password" : "") + ". Set " + TLS_CERT + ", " + TLS_KEY
                    + " and " + PASSWORD_FILE + " (VeNCrypt X509Vnc), or listen on 127.0.0.1 and reach it through an SSH "
                    + "tunnel (ssh -L 5900:127.0.0.1:PORT host), or set insecure=true to accept that");
        }
        java.util.Set<String> origins = new java.util.LinkedHashSet<>();
        for (String o : text(p, WEBSOCKET_ORIGINS, "").split(",")) {
            String t = o.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.equals("*") && !t.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                throw bad(WEBSOCKET_ORIGINS, t, "origins as a browser sends them (http://host:port, https://host), "
                        + "comma-separated, or *");
            }
            origins.add(t);
        }
        return new VncOptions(device, address, listen, port, passwordFile, insecure, maxViewers, timeout, tlsCert,
                tlsKey, unixPath, websocket, java.util.Set.copyOf(origins), input);
    }

    /** The listen target as the log says it: the Unix socket path or host:port as given. */
    String where() {
        return unixPath != null ? UNIX_PREFIX + unixPath : listenText;
    }

    private static Path file(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return null;
        }
        String s = v.toString().trim();
        if (s.indexOf(0) >= 0) {
            throw bad(key, s.replace('\0', '?'), "a file name without NUL");
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw bad(key, s, "a file name");
        }
    }

    private static String text(Map<String, ?> p, String key, String dflt) {
        Object v = p.get(key);
        return v == null ? dflt : v.toString();
    }

    private static boolean bool(Map<String, ?> p, String key, boolean dflt) {
        Object v = p.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw bad(key, v.toString(), "true or false");
    }

    private static int whole(Map<String, ?> p, String key, int dflt, int min, int max) {
        Object v = p.get(key);
        if (v == null) {
            return dflt;
        }
        String accepted = "a whole number from " + min + " to " + max;
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw bad(key, v.toString(), accepted);
            }
        }
        if (n < min || n > max) {
            throw bad(key, v.toString(), accepted);
        }
        return (int) n;
    }

    private static IllegalArgumentException bad(String key, String value, String accepted) {
        return new IllegalArgumentException(PREFIX + key + "=" + value + " is not accepted; expected " + accepted);
    }
}
