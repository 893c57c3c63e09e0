package io.github.scanout.api.support;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An HTTP endpoint on loopback only: the one home of what every endpoint Scanout serves without
 * TLS or authentication does with its {@code listen} value. It reads the value with
 * {@link ListenAddress}, refuses anything but a loopback address in one line, binds the JDK's
 * HTTP server (module {@code jdk.httpserver}: a few GET routes need no library and no embedded
 * server) and runs its requests on daemon threads; the metrics endpoint is served so. The web
 * console, which has TLS and authentication of its own, reads its value with {@link #anyAddress}
 * and is served by the OSGi HTTP Whiteboard (Felix HTTP Jetty), not by this class; the
 * {@link SSLContext} overload of {@link #start(InetSocketAddress, int, String, HttpHandler,
 * SSLContext)} (the JDK's HTTPS server) has no user in Scanout since.
 *
 * <p>Threads: {@link #start} and {@link #stop} from one thread (a component's activate and
 * deactivate); requests run on {@code threads} daemon threads named {@code NAME-N}.
 */
public final class LoopbackHttpServer {
    private final HttpServer server;
    private final ExecutorService executor;

    private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Reads a configured {@code listen} value: {@code HOST:PORT}, {@code [IPv6]:PORT},
     * {@code :PORT} or {@code PORT}, resolved, and on loopback.
     *
     * @param configured the value as configured; null or blank for {@code defaultListen}
     * @param defaultListen the endpoint's default, such as {@code 127.0.0.1:9464}
     * @param serves what the endpoint serves, for the refusal ({@code metrics})
     * @param instead what the operator can do instead, for the refusal
     * @return the address
     * @throws IllegalArgumentException one line starting {@code listen = VALUE}: what is wrong
     *     and what is accepted
     */
    public static InetSocketAddress address(String configured, String defaultListen, String serves, String instead) {
        String listen = configured == null || configured.isBlank() ? defaultListen : configured.trim();
        InetSocketAddress bound = anyAddress(configured, defaultListen);
        if (!bound.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("listen = " + listen + " is not a loopback address: this version serves "
                    + serves + " on loopback only (no TLS, no authentication); " + instead);
        }
        return bound;
    }

    /**
     * Reads a configured {@code listen} value as {@link #address} does, loopback or not: for an
     * endpoint that checks itself that a non-loopback address has TLS and authentication.
     *
     * @param configured the value as configured; null or blank for {@code defaultListen}
     * @param defaultListen the endpoint's default
     * @return the address
     * @throws IllegalArgumentException one line starting {@code listen = VALUE}: what is wrong
     *     and what is accepted
     */
    public static InetSocketAddress anyAddress(String configured, String defaultListen) {
        String listen = configured == null || configured.isBlank() ? defaultListen : configured.trim();
        try {
            return ListenAddress.parse(listen, defaultListen);
        } catch (ListenAddress.UnknownHost e) {
            throw new IllegalArgumentException("listen = " + listen + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("listen = " + listen + ": expected " + e.getMessage());
        }
    }

    /**
     * Binds {@code address} and serves every path with {@code handler}, without TLS.
     *
     * @param address where, normally from {@link #address}
     * @param threads how many requests run at once
     * @param name the request threads' name prefix, such as {@code scanout-web}
     * @param handler the routes
     * @return the started server
     * @throws UncheckedIOException {@code cannot listen on ADDRESS: REASON} when it cannot bind
     */
    public static LoopbackHttpServer start(InetSocketAddress address, int threads, String name, HttpHandler handler) {
        return start(address, threads, name, handler, null);
    }

    /**
     * Binds {@code address} and serves every path with {@code handler}, over TLS with {@code tls}
     * (the JDK's HTTPS server) or, when it is null, without.
     *
     * @param address where, normally from {@link #address} or {@link #anyAddress}
     * @param threads how many requests run at once
     * @param name the request threads' name prefix, such as {@code scanout-web}
     * @param handler the routes
     * @param tls the server's TLS identity ({@link TlsFiles}), or null for plain HTTP
     * @return the started server
     * @throws UncheckedIOException {@code cannot listen on ADDRESS: REASON} when it cannot bind
     */
    public static LoopbackHttpServer start(InetSocketAddress address, int threads, String name, HttpHandler handler,
            SSLContext tls) {
        HttpServer server;
        try {
            if (tls == null) {
                server = HttpServer.create(address, 16);
            } else {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        server.createContext("/", handler);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new LoopbackHttpServer(server, executor);
    }

    /**
     * The address it listens on.
     *
     * @return the address, with the port chosen for port 0
     */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * The address for a URL.
     *
     * @return {@code HOST:PORT} of {@link #address()}, an IPv6 address in brackets; for a server
     *     on every address, the machine's name as HOST
     */
    public String hostPort() {
        InetSocketAddress a = server.getAddress();
        java.net.InetAddress ip = a.getAddress();
        String h = ip.isAnyLocalAddress() ? hostName() : ip.getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /**
     * The machine's name, for the URL of a server on every address (0.0.0.0 or ::, which no
     * browser can open): Linux's {@code /proc/sys/kernel/hostname}, read without a name lookup
     * (which can hang where DNS is broken); "0.0.0.0" where there is none.
     */
    static String hostName() {
        try {
            String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() || !name.matches("[A-Za-z0-9.-]+") ? "0.0.0.0" : name;
        } catch (java.io.IOException | RuntimeException e) {
            return "0.0.0.0";
        }
    }

    /** Stops listening and the request threads; requests under way are cut off. */
    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }
}
