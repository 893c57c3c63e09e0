package io.github.scanout.web.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The console's HTTP routes, all GET or HEAD (nothing changes on GET; there is nothing else):
 * <ul>
 *   <li>{@code /}: the page ({@link Page}), every device named in the HTML as served;</li>
 *   <li>{@code /console.js}, {@code /console.css}: its script (refreshes the thumbnails and
 *       numbers about once a second) and style, same origin;</li>
 *   <li>{@code /api/devices}, {@code /api/sinks}: exactly {@code scanout ctl devices --json} and
 *       {@code scanout ctl sinks --json};</li>
 *   <li>{@code /api/devices/NAME/snapshot.png}: the device's current picture.</li>
 * </ul>
 * Every answer carries the security headers ({@link #SECURITY_HEADERS}). A request whose
 * {@code Host} is not a loopback name or address is refused (403): a page of another site that
 * resolves its own name to 127.0.0.1 (DNS rebinding) reads nothing.
 *
 * <p>Threads: requests run on a small pool ({@code scanout-web-N}); the model and the pictures
 * are read per request. Pictures are kept {@link #PICTURE_TTL_NANOS} so that several viewers
 * share one snapshot per device.
 */
final class WebServer {
    /** The device model the page and the JSON come from: {@code scanout ctl}'s, one implementation. */
    @FunctionalInterface
    interface Model {
        /**
         * @param verb {@code devices} or {@code sinks}
         * @return {@code model} (maps, lists, strings, numbers) and {@code json} (its text), or
         *     {@code error} (one line)
         */
        Map<String, Object> read(String verb);
    }

    /** The devices' current pictures. */
    @FunctionalInterface
    interface Pictures {
        /**
         * @return the device's current picture as PNG
         * @throws NoSuchDevice when no device has that name
         * @throws IllegalStateException when the device has no picture now (one line, why)
         */
        byte[] png(String device) throws InterruptedException;
    }

    /** No device of that name. */
    static final class NoSuchDevice extends RuntimeException {
        NoSuchDevice(String message) {
            super(message);
        }
    }

    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none';"
                    + " form-action 'self'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "X-Frame-Options", "DENY",
            "Cache-Control", "no-store");
    static final long PICTURE_TTL_NANOS = 500_000_000L;
    private static final Pattern SNAPSHOT = Pattern.compile("/api/devices/([^/]+)/snapshot\\.png");
    private static final Pattern LOOPBACK_HOST = Pattern.compile(
            "(localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[::1\\]|\\[0:0:0:0:0:0:0:1\\])(:\\d{1,5})?",
            Pattern.CASE_INSENSITIVE);

    private final Model model;
    private final Pictures pictures;
    private final Reporter reporter;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Picture> recent = new ConcurrentHashMap<>();

    private record Picture(long nanos, byte[] png) {}

    /**
     * Listens on {@code address} and serves.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    WebServer(InetSocketAddress address, Model model, Pictures pictures, Reporter reporter) {
        this.model = model;
        this.pictures = pictures;
        this.reporter = reporter;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        server.createContext("/", this::handle);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "scanout-web-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** The address it listens on (with the port chosen for port 0). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://HOST:PORT/}. */
    String url() {
        InetSocketAddress a = server.getAddress();
        String h = a.getAddress().getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort() + "/";
    }

    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            for (Map.Entry<String, String> h : SECURITY_HEADERS.entrySet()) {
                ex.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            String host = ex.getRequestHeaders().getFirst("Host");
            if (host == null || !LOOPBACK_HOST.matcher(host.trim()).matches()) {
                reply(ex, 403, "text/plain; charset=utf-8", text("refused: Host " + host + " is not a loopback name or"
                        + " address; open the console as http://127.0.0.1:PORT/ or http://localhost:PORT/\n"));
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", text("method " + method + " not allowed: this console is"
                        + " read-only (GET and HEAD)\n"));
                return;
            }
            route(ex, ex.getRequestURI().getRawPath());
        } catch (IOException | RuntimeException e) {
            reporter.report(System.Logger.Level.WARNING, "web: a request for " + ex.getRequestURI() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void route(HttpExchange ex, String path) throws IOException, InterruptedException {
        switch (path) {
            case "/" -> {
                Map<String, Object> m = model.read("devices");
                if (m.containsKey("error")) {
                    unavailable(ex, m);
                    return;
                }
                reply(ex, 200, "text/html; charset=utf-8", text(Page.render(asMap(m.get("model")))));
            }
            case "/console.js" -> reply(ex, 200, "text/javascript; charset=utf-8", resource("console.js"));
            case "/console.css" -> reply(ex, 200, "text/css; charset=utf-8", resource("console.css"));
            case "/api/devices", "/api/sinks" -> {
                Map<String, Object> m = model.read(path.substring("/api/".length()));
                if (m.containsKey("error")) {
                    unavailable(ex, m);
                    return;
                }
                reply(ex, 200, "application/json", text(m.get("json") + "\n"));
            }
            default -> {
                var matcher = SNAPSHOT.matcher(path);
                if (matcher.matches()) {
                    snapshot(ex, URLDecoder.decode(matcher.group(1).replace("+", "%2B"), StandardCharsets.UTF_8));
                    return;
                }
                reply(ex, 404, "text/plain; charset=utf-8", text("not found: " + path + " (the console is at /, the JSON at"
                        + " /api/devices and /api/sinks)\n"));
            }
        }
    }

    private void snapshot(HttpExchange ex, String device) throws IOException, InterruptedException {
        long now = System.nanoTime();
        Picture p = recent.get(device);
        if (p == null || now - p.nanos() > PICTURE_TTL_NANOS) {
            try {
                p = new Picture(System.nanoTime(), pictures.png(device));
            } catch (NoSuchDevice e) {
                reply(ex, 404, "text/plain; charset=utf-8", text(e.getMessage() + "\n"));
                return;
            } catch (IllegalStateException e) {
                reply(ex, 503, "text/plain; charset=utf-8", text("no picture of " + device + ": " + e.getMessage() + "\n"));
                return;
            }
            recent.put(device, p);
            recent.entrySet().removeIf(e -> System.nanoTime() - e.getValue().nanos() > 60_000_000_000L);
        }
        reply(ex, 200, "image/png", p.png());
    }

    private void unavailable(HttpExchange ex, Map<String, Object> m) throws IOException {
        reply(ex, 503, "text/plain; charset=utf-8", text("the device model is not available: " + m.get("error") + "\n"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the bundle has no " + name);
            }
            return in.readAllBytes();
        }
    }

    private static void reply(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }
}
