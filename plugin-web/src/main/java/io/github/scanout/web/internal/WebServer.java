package io.github.scanout.web.internal;

import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The console's HTTP routes: GET or HEAD, which change nothing, and the two forms' POSTs:
 * <ul>
 *   <li>{@code /}: the page ({@link Page}), every device named in the HTML as served;</li>
 *   <li>{@code /console.js}, {@code /console.css}: its script (refreshes the thumbnails and
 *       numbers about once a second) and style, same origin;</li>
 *   <li>{@code /api/devices}, {@code /api/sinks}: exactly {@code scanout ctl devices --json} and
 *       {@code scanout ctl sinks --json};</li>
 *   <li>{@code /api/devices/NAME/snapshot.png}: the device's current picture; with
 *       {@code ?download=1} as an attachment named {@code NAME-YYYYmmdd-HHMMSS.png} (UTC, the
 *       name's characters other than letters, digits, {@code . _ -} as {@code _}).</li>
 *   <li>{@code /view/NAME}: the device's live view ({@link Page#view}): noVNC over the VNC sink's
 *       WebSocket ({@link #liveView}), its CSP's connect-src exactly that origin ({@link #csp}), or
 *       the still image and why; {@code /view.js} its script; {@code /novnc/core/...} and
 *       {@code /novnc/vendor/...}: noVNC's module files from the configured directory (Debian's
 *       novnc; only {@code .js} files of those two folders);</li>
 *   <li>POST {@code /live}: Open live view, a view-only loopback VNC sink attached through the
 *       actions, then 303 to the view;</li>
 *   <li>POST {@code /attach} and {@code /detach}: the page's forms, run as {@code scanout ctl
 *       attach} and {@code detach} run (the launcher's actions service, one implementation); done:
 *       303 to {@code /}; refused: the page again with the form's values and the error next to the
 *       field it names ({@link Page}).</li>
 * </ul>
 * A POST is taken only with a body of at most {@link FormBody#MAX_BYTES} bytes of type
 * {@code application/x-www-form-urlencoded} (413, 415), an {@code Origin}, when sent, that is the
 * console's own ({@code http://} and the request's loopback {@code Host}), and this server's CSRF
 * token both in the form's {@value #TOKEN_FIELD} field and in the {@value #COOKIE} cookie that the
 * page sets ({@code SameSite=Strict; HttpOnly}): a double submit that a page of another site can
 * neither read nor send (403 otherwise, and nothing is run). The token is 32 random bytes
 * ({@link SecureRandom}) per server, base64url.
 * Every answer carries the security headers ({@link #SECURITY_HEADERS}). On a loopback address a
 * request whose {@code Host} is not a loopback name or address is refused (403): a page of
 * another site that resolves its own name to 127.0.0.1 (DNS rebinding) reads nothing.
 *
 * <p>Who may do what is {@link Access}'s: with logins, a request without valid HTTP Basic
 * credentials gets 401 with a {@code WWW-Authenticate} challenge and nothing else (one log line
 * when credentials were sent, never the password, never which part was wrong), a user who may not
 * view gets 403 everywhere, and a viewer who may not control gets 403 on the POSTs (nothing is
 * run) and the page without its forms ({@link #authenticate}, run by the {@link ConsoleContext}'s
 * handleSecurity; the rest by {@link #handle}, the {@link ConsoleServlet}'s service). Served over
 * https, the Origin a POST may carry is {@code https://HOST}.
 *
 * <p>Threads: requests run on the HTTP service's (Jetty's) threads; the model and the pictures
 * are read per request. Pictures are kept {@link #PICTURE_TTL_NANOS} so that several viewers
 * share one snapshot per device, and why a device has none {@link #FAILURE_TTL_NANOS}.
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

    /** The changing verbs of {@code scanout ctl}, run by the launcher's code. */
    @FunctionalInterface
    interface Actions {
        /**
         * @param request the verb ({@code attach}, {@code detach}) and its arguments as {@code
         *     scanout ctl} takes them
         * @return {@code status} (0 done, 1 failed, 2 bad request) and {@code message} (one line)
         */
        Map<String, Object> act(List<String> request);
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

    /**
     * The WebSocket listeners of the VNC sinks attached now (the VNC sink bundle registers each as
     * a service, plugin-sink-vnc's {@code VncSinkComponent.WEBSOCKET_URL}): per endpoint {@code
     * url} ({@code ws://HOST:PORT/}), {@code origins} (its {@code websocket.origins},
     * comma-separated), {@code input} and {@code password} ({@code "true"}/{@code "false"}),
     * {@code device}, {@code sink.name}.
     */
    @FunctionalInterface
    interface LiveViews {
        LiveViews NONE = List::of;

        List<Map<String, Object>> endpoints();
    }

    /** No device of that name. */
    static final class NoSuchDevice extends RuntimeException {
        NoSuchDevice(String message) {
            super(message);
        }
    }

    /** The CSP of every answer; a live view's page adds its WebSocket's origin to connect-src ({@link #csp}). */
    static final String CSP = "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none';"
            + " form-action 'self'";
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", CSP,
            "X-Content-Type-Options", "nosniff",
            // not no-referrer: under it a browser sends "Origin: null" with the forms' own POSTs (Fetch
            // standard), which the Origin check must refuse; same-origin sends nothing to other sites
            "Referrer-Policy", "same-origin",
            "X-Frame-Options", "DENY",
            "Cache-Control", "no-store");
    /** The form field of the CSRF token. */
    static final String TOKEN_FIELD = "csrf";
    /** The cookie of the CSRF token. */
    static final String COOKIE = "scanout_csrf";
    /** The prefix of a sink key's form field ({@code k.path}): no key can be taken for the form's own fields. */
    static final String KEY_FIELD = "k.";
    static final long PICTURE_TTL_NANOS = 500_000_000L;
    /**
     * How long a device without a picture is not asked again: a snapshot waits up to 5 s for a
     * frame, and a device that has none (no signal, buffers the CPU cannot map) would otherwise
     * hold a request thread all the time.
     */
    static final long FAILURE_TTL_NANOS = 5_000_000_000L;
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern SNAPSHOT = Pattern.compile("/api/devices/([^/]+)/snapshot\\.png");
    private static final Pattern VIEW = Pattern.compile("/view/([^/]+)");
    /** A file of noVNC's core modules and their vendored inflate: names of letters, digits, _ . - under core/ or vendor/. */
    private static final Pattern NOVNC = Pattern.compile("/novnc/((?:core|vendor)(?:/[A-Za-z0-9_\\-]+(?:\\.[A-Za-z0-9_\\-]+)*)+\\.js)");
    /** The sink name of an on-demand live view's VNC sink: {@code web-live-DEVICE} (the device's name in safe characters). */
    static final String LIVE_PREFIX = "web-live-";
    private static final Pattern LOOPBACK_HOST = Pattern.compile(
            "(localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[::1\\]|\\[0:0:0:0:0:0:0:1\\])(:\\d{1,5})?",
            Pattern.CASE_INSENSITIVE);

    private final Model model;
    private final Actions actions;
    private final String token;
    private final Pictures pictures;
    private final Reporter reporter;
    private final Access access;
    private final String scheme;
    /** Whether the Host header must be a loopback one: the server listens on loopback. */
    private final boolean loopbackHost;
    private final Map<String, Picture> recent = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LiveViews live;
    /** Debian's noVNC ({@code /usr/share/novnc}): its {@code core/} modules are served under {@code /novnc/}. */
    private final Path novnc;

    /** A picture, or (png null) why there is none. */
    private record Picture(long nanos, byte[] png, String why) {}

    /** Over http, on loopback, to the local user (tests). */
    WebServer(Model model, Actions actions, Pictures pictures, Reporter reporter) {
        this(false, true, Access.local(), model, actions, pictures, reporter, Clock.systemUTC());
    }

    /** Over https or http, on loopback or elsewhere, to whom {@code access} lets in (tests). */
    WebServer(boolean https, boolean loopback, Access access, Model model, Actions actions, Pictures pictures,
            Reporter reporter) {
        this(https, loopback, access, model, actions, pictures, reporter, Clock.systemUTC());
    }

    /** With the clock that dates downloads (tests). */
    WebServer(Model model, Actions actions, Pictures pictures, Reporter reporter, Clock clock) {
        this(false, true, Access.local(), model, actions, pictures, reporter, clock);
    }

    /** With all of it but the live views (tests). */
    WebServer(boolean https, boolean loopback, Access access, Model model, Actions actions, Pictures pictures,
            Reporter reporter, Clock clock) {
        this(https, loopback, access, model, actions, pictures, LiveViews.NONE, Path.of(DEFAULT_NOVNC), reporter, clock);
    }

    /** The default of {@code novnc}: where Debian's novnc package puts noVNC. */
    static final String DEFAULT_NOVNC = "/usr/share/novnc";

    /**
     * With all of it: the live views' VNC WebSockets and noVNC's directory too.
     *
     * @param https whether the console is served over https (the Origin a POST may carry)
     * @param loopback whether it listens on loopback (then the Host must be a loopback name, and
     *     Open live view may attach a loopback VNC sink)
     */
    WebServer(boolean https, boolean loopback, Access access, Model model, Actions actions, Pictures pictures,
            LiveViews live, Path novnc, Reporter reporter, Clock clock) {
        this.live = live;
        this.novnc = novnc.toAbsolutePath().normalize();
        this.clock = clock;
        this.access = access;
        this.scheme = https ? "https" : "http";
        this.model = model;
        this.actions = actions;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.pictures = pictures;
        this.reporter = reporter;
        this.loopbackHost = loopback;
    }

    /** What a request asks for: a page or API route, or a refusal with its status and one-line text. */
    record Route(Kind kind, String device, int status, String message) {
        enum Kind { PAGE, SCRIPT, STYLE, DEVICES, SINKS, SNAPSHOT, ATTACH, DETACH, REFUSED, VIEW, VIEW_SCRIPT, NOVNC, LIVE }

        static Route of(Kind kind) {
            return new Route(kind, "", 200, "");
        }

        static Route refused(int status, String message) {
            return new Route(Kind.REFUSED, "", status, message);
        }
    }

    /**
     * Reads a request's method, {@code Host} header and raw path (as sent, percent-encoded) into
     * its route. Everything from the network passes here first.
     */
    static Route route(String method, String host, String rawPath) {
        return route(method, host, rawPath, true);
    }

    /**
     * As {@link #route(String, String, String)}; {@code loopbackHost}: whether the {@code Host}
     * must be a loopback one (a console on loopback; one elsewhere has TLS and logins).
     */
    static Route route(String method, String host, String rawPath, boolean loopbackHost) {
        if (loopbackHost && (host == null || !LOOPBACK_HOST.matcher(host.trim()).matches())) {
            return Route.refused(403, "refused: Host " + oneLine(host) + " is not a loopback name or address; open the"
                    + " console as http://127.0.0.1:PORT/ or http://localhost:PORT/");
        }
        String path = rawPath == null ? "" : rawPath;
        if (path.equals("/attach") || path.equals("/detach") || path.equals("/live")) {
            if (!"POST".equals(method)) {
                return Route.refused(405, "method " + oneLine(method) + " not allowed on " + path + ": it changes the"
                        + " instance, only the console's form POSTs to it");
            }
            return Route.of(path.equals("/attach") ? Route.Kind.ATTACH : path.equals("/live") ? Route.Kind.LIVE
                    : Route.Kind.DETACH);
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return Route.refused(405, "method " + oneLine(method) + " not allowed on " + oneLine(path) + " (GET and"
                    + " HEAD; the forms POST to /attach, /detach and /live)");
        }
        switch (path) {
            case "/":
                return Route.of(Route.Kind.PAGE);
            case "/console.js":
                return Route.of(Route.Kind.SCRIPT);
            case "/console.css":
                return Route.of(Route.Kind.STYLE);
            case "/view.js":
                return Route.of(Route.Kind.VIEW_SCRIPT);
            case "/api/devices":
                return Route.of(Route.Kind.DEVICES);
            case "/api/sinks":
                return Route.of(Route.Kind.SINKS);
            default:
                break;
        }
        var novncFile = NOVNC.matcher(path);
        if (novncFile.matches()) {
            return new Route(Route.Kind.NOVNC, novncFile.group(1), 200, "");
        }
        for (Pattern p : List.of(SNAPSHOT, VIEW)) {
            var matcher = p.matcher(path);
            if (matcher.matches()) {
                String device;
                try {
                    device = URLDecoder.decode(matcher.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return Route.refused(400, "bad request: the device name in " + oneLine(path) + " is not"
                            + " percent-encoded UTF-8");
                }
                return new Route(p == SNAPSHOT ? Route.Kind.SNAPSHOT : Route.Kind.VIEW, device, 200, "");
            }
        }
        return Route.refused(404, "not found: " + oneLine(path) + " (the console is at /, the JSON at /api/devices and"
                + " /api/sinks)");
    }

    /** A text from the request as it may appear in a one-line message: control characters as '?', at most 200. */
    static String oneLine(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? '?' : c);
        }
        return s.length() > 200 ? b.append("...").toString() : b.toString();
    }

    /**
     * The security headers on every answer, then who sends the request ({@link Access}): the
     * {@link ConsoleContext}'s handleSecurity. Null when the request was answered here (401 with
     * the challenge, or 403 to a user who may not view): the whiteboard then runs no servlet.
     */
    Access.Who authenticate(HttpServletRequest req, HttpServletResponse res) throws IOException {
        for (Map.Entry<String, String> h : SECURITY_HEADERS.entrySet()) {
            res.setHeader(h.getKey(), h.getValue());
        }
        String authorization = req.getHeader("Authorization");
        Access.Who who = access.who(authorization);
        if (who == null) {
            String[] sent = Access.basic(authorization);
            if (authorization != null) {
                reporter.report(System.Logger.Level.WARNING, "web: login refused for " + Access.shown(sent)
                        + " from " + req.getRemoteAddr() + ": unknown user or wrong password");
            }
            res.setHeader("WWW-Authenticate", Access.CHALLENGE);
            reply(req, res, 401, "text/plain; charset=utf-8", text("authentication required: log in as a user of the"
                    + " console's htpasswd.file\n"));
            return null;
        }
        if (!who.view()) {
            reply(req, res, 403, "text/plain; charset=utf-8", text("refused: user " + oneLine(who.name()) + " may not"
                    + " view the console (not in viewers)\n"));
            return null;
        }
        return who;
    }

    /** A request of {@code who} (as {@link #authenticate} let it in): the {@link ConsoleServlet}'s service. */
    void handle(HttpServletRequest req, HttpServletResponse res, Access.Who who) throws IOException {
        try {
            Route r = route(req.getMethod(), req.getHeader("Host"), req.getRequestURI(),
                    loopbackHost);
            switch (r.kind()) {
                case REFUSED -> {
                    if (r.status() == 405) {
                        String p = req.getRequestURI();
                        res.setHeader("Allow", "/attach".equals(p) || "/detach".equals(p)
                                || "/live".equals(p) ? "POST" : "GET, HEAD");
                    }
                    reply(req, res, r.status(), "text/plain; charset=utf-8", text(r.message() + "\n"));
                }
                case PAGE -> page(req, res, 200, Page.Form.NONE, who);
                case ATTACH, DETACH, LIVE -> post(req, res, r.kind(), who);
                case SCRIPT -> reply(req, res, 200, "text/javascript; charset=utf-8", resource("console.js"));
                case VIEW_SCRIPT -> reply(req, res, 200, "text/javascript; charset=utf-8", resource("view.js"));
                case VIEW -> view(req, res, r.device(), who);
                case NOVNC -> novncFile(req, res, r.device());
                case STYLE -> reply(req, res, 200, "text/css; charset=utf-8", resource("console.css"));
                case DEVICES, SINKS -> {
                    Map<String, Object> m = model.read(r.kind() == Route.Kind.DEVICES ? "devices" : "sinks");
                    if (m.containsKey("error")) {
                        unavailable(req, res, m);
                        return;
                    }
                    reply(req, res, 200, "application/json", text(m.get("json") + "\n"));
                }
                case SNAPSHOT -> snapshot(req, res, r.device(), download(req.getQueryString()));
                default -> throw new IllegalStateException("route " + r.kind());
            }
        } catch (IOException | RuntimeException e) {
            reporter.report(System.Logger.Level.WARNING, "web: a request for " + oneLine(req.getRequestURI())
                    + " failed", e);
            if (!res.isCommitted()) {
                res.reset();
                reply(req, res, 500, "text/plain; charset=utf-8", text(oneLine("the console failed: " + e) + "\n"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The page, with the CSRF cookie; {@code form} is a refused form to show again. */
    private void page(HttpServletRequest req, HttpServletResponse res, int status, Page.Form form, Access.Who who) throws IOException {
        Map<String, Object> devices = model.read("devices");
        Map<String, Object> sinks = model.read("sinks");
        Map<String, Object> types = model.read("keys");
        for (Map<String, Object> m : List.of(devices, sinks, types)) {
            if (m.containsKey("error")) {
                unavailable(req, res, m);
                return;
            }
        }
        List<Map<String, Object>> keys = new ArrayList<>();
        for (Object t : list(asMap(types.get("model")).get("types"))) {
            Map<String, Object> k = model.read("keys " + asMap(t).get("type"));
            if (!k.containsKey("error")) {
                keys.add(asMap(k.get("model")));
            }
        }
        res.setHeader("Set-Cookie", COOKIE + "=" + token + "; SameSite=Strict; HttpOnly; Path=/");
        reply(req, res, status, "text/html; charset=utf-8", text(Page.render(asMap(devices.get("model")),
                list(asMap(sinks.get("model")).get("sinks")), keys, token, form, who.control())));
    }

    /** A form's POST: checked (type, size, origin, token), then run, then 303 to the page or the page with the error. */
    private void post(HttpServletRequest req, HttpServletResponse res, Route.Kind kind, Access.Who who) throws IOException {
        if (!who.control()) {
            reply(req, res, 403, "text/plain; charset=utf-8", text("refused: user " + oneLine(who.name()) + " may view the"
                    + " console but not control it (not in controllers)\n"));
            return;
        }
        String type = req.getHeader("Content-Type");
        Route refused = checkPost(type, req.getHeader("Content-Length"),
                req.getHeader("Origin"), req.getHeader("Host"), scheme);
        if (refused != null) {
            reply(req, res, refused.status(), "text/plain; charset=utf-8", text(refused.message() + "\n"));
            return;
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(FormBody.MAX_BYTES + 1);
        }
        FormBody form;
        try {
            form = FormBody.parse(body);
        } catch (FormBody.BadForm e) {
            reply(req, res, body.length > FormBody.MAX_BYTES ? 413 : 400, "text/plain; charset=utf-8",
                    text(e.getMessage() + "\n"));
            return;
        }
        String wrong = checkToken(token, Collections.list(req.getHeaders("Cookie")), form);
        if (wrong != null) {
            reply(req, res, 403, "text/plain; charset=utf-8", text(wrong + "\n"));
            return;
        }
        if (kind == Route.Kind.LIVE) {
            live(req, res, form.first("device"), who);
            return;
        }
        List<String> request = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        if (kind == Route.Kind.ATTACH) {
            request.addAll(List.of("attach", form.first("type"), form.first("device")));
            for (Map.Entry<String, String> f : form.fields()) {
                if (f.getKey().startsWith(KEY_FIELD) && !f.getValue().isEmpty()) {
                    String key = f.getKey().substring(KEY_FIELD.length());
                    values.put(key, f.getValue());
                    request.add(key + "=" + f.getValue());
                }
            }
        } else {
            request.addAll(List.of("detach", form.first("name")));
        }
        Map<String, Object> answer = actions.act(request);
        int status = answer.get("status") instanceof Number n ? n.intValue() : 1;
        String message = oneLine(String.valueOf(answer.getOrDefault("message", "no answer")));
        if (status == 0) {
            reporter.report(System.Logger.Level.INFO, "web: " + message);
            res.setHeader("Location", "/");
            reply(req, res, 303, "text/plain; charset=utf-8", text(message + "\n"));
            return;
        }
        Page.Form failed = kind == Route.Kind.ATTACH
                ? new Page.Form(form.first("device"), form.first("type"), values, message)
                : new Page.Form("", "", Map.of(), message);
        page(req, res, status == 2 ? 400 : 500, failed, who);
    }

    /**
     * What a device's live view shows: noVNC against {@code url} ({@code viewOnly} unless the sink
     * takes input and the user may control), or (url null) the still image and {@code why} in one line.
     */
    record LiveView(String url, boolean viewOnly, String why, boolean canOpen) {}

    /**
     * The live view of {@code device} for a page of {@code origin} ({@code http://HOST:PORT}) whose
     * request named {@code host}: the first WebSocket of a VNC sink of the device that allows the
     * origin and asks no password; else why none.
     *
     * @param control whether the user may control (input, and attaching a VNC sink on demand)
     * @param onDemand whether the console may attach one (it listens on loopback)
     * @param novncPresent whether noVNC's {@code core/rfb.js} is there
     */
    static LiveView liveView(String device, List<Map<String, Object>> endpoints, String origin, String host,
            boolean control, boolean onDemand, boolean novncPresent, Path novnc) {
        String why = null;
        for (Map<String, Object> e : endpoints) {
            if (!device.equals(String.valueOf(e.get("device")))) {
                continue;
            }
            String sink = String.valueOf(e.get("sink.name"));
            List<String> origins = List.of(String.valueOf(e.getOrDefault("origins", "")).split(","));
            if (!origins.contains("*") && !origins.contains(origin)) {
                why = why != null ? why : "the VNC sink " + sink + " does not allow this console's origin: add " + origin
                        + " to its websocket.origins";
                continue;
            }
            if ("true".equals(String.valueOf(e.get("password")))) {
                why = why != null ? why : "the VNC sink " + sink + " asks for a password (password.file); the live view"
                        + " connects to a VNC sink without one";
                continue;
            }
            if (!novncPresent) {
                return new LiveView(null, true, "noVNC is not installed (no " + novnc.resolve("core/rfb.js") + "):"
                        + " apt-get install novnc, or set novnc in the console's configuration", false);
            }
            String url = String.valueOf(e.get("url"));
            // a sink on every address (0.0.0.0, [::]): the browser reaches it on the console's host
            var wild = Pattern.compile("(wss?://)(0\\.0\\.0\\.0|\\[::\\]|\\[0:0:0:0:0:0:0:0\\])(:\\d+/)").matcher(url);
            if (wild.matches() && host != null) {
                url = wild.group(1) + host.replaceFirst(":\\d+$", "") + wild.group(3);
            }
            return new LiveView(url, !(control && "true".equals(String.valueOf(e.get("input")))), "", false);
        }
        if (why != null) {
            return new LiveView(null, true, why, false);
        }
        if (!novncPresent) {
            // a VNC sink attached on demand could not be shown either
            return new LiveView(null, true, "noVNC is not installed (no " + novnc.resolve("core/rfb.js") + "):"
                    + " apt-get install novnc, or set novnc in the console's configuration", false);
        }
        if (control && onDemand) {
            return new LiveView(null, true, "no VNC sink with a WebSocket listener is attached to " + device + ": Open"
                    + " live view attaches one", true);
        }
        return new LiveView(null, true, "no VNC sink with a WebSocket listener is attached to " + device + ": an"
                + " operator must attach a VNC sink with websocket set for the live view", false);
    }

    /**
     * The CSP of a live view's page: {@link #CSP}; with a WebSocket, connect-src exactly its origin
     * and images also from {@code data:} URLs (noVNC decodes the sink's Tight JPEG rectangles by
     * loading them as {@code data:image/jpeg} images; scripts stay same-origin only).
     */
    static String csp(String wsUrl) {
        if (wsUrl == null) {
            return CSP;
        }
        return CSP.replace("img-src 'self'", "img-src 'self' data:") + "; connect-src " + wsUrl.replaceFirst("/$", "");
    }

    private void view(HttpServletRequest req, HttpServletResponse res, String device, Access.Who who) throws IOException {
        view(req, res, device, who, 200, "");
    }

    /** A device's live view page; {@code error}: a refused Open live view, shown above it. */
    private void view(HttpServletRequest req, HttpServletResponse res, String device, Access.Who who, int status, String error) throws IOException {
        Map<String, Object> devices = model.read("devices");
        if (devices.containsKey("error")) {
            unavailable(req, res, devices);
            return;
        }
        Map<String, Object> d = null;
        List<String> names = new ArrayList<>();
        for (Object o : list(asMap(devices.get("model")).get("devices"))) {
            names.add(String.valueOf(asMap(o).get("name")));
            if (device.equals(asMap(o).get("name"))) {
                d = asMap(o);
            }
        }
        if (d == null) {
            reply(req, res, 404, "text/plain; charset=utf-8", text(oneLine("no device " + device + " (devices: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")") + "\n"));
            return;
        }
        String host = req.getHeader("Host");
        LiveView v = liveView(device, live.endpoints(), scheme + "://" + host, host, who.control(), loopbackHost,
                Files.isRegularFile(novnc.resolve("core/rfb.js")), novnc);
        res.setHeader("Content-Security-Policy", csp(v.url()));
        res.setHeader("Set-Cookie", COOKIE + "=" + token + "; SameSite=Strict; HttpOnly; Path=/");
        reply(req, res, status, "text/html; charset=utf-8", text(Page.view(d, v, token, error)));
    }

    /**
     * Open live view: attaches a view-only VNC sink with a WebSocket listener on a free loopback
     * port, its {@code websocket.origins} this console's origin, through the ctl actions (as
     * {@code scanout ctl attach vnc DEVICE ...}), then 303 to the view. On a console off loopback
     * refused (409): its browser could not reach a loopback listener.
     */
    private void live(HttpServletRequest req, HttpServletResponse res, String device, Access.Who who) throws IOException {
        String host = req.getHeader("Host");
        String origin = scheme + "://" + host;
        String location = "/view/" + Page.pathSegment(device);
        if (!loopbackHost) {
            reply(req, res, 409, "text/plain; charset=utf-8", text("refused: a live view's VNC sink is attached on demand"
                    + " only by a console on loopback (its browser could not reach the sink's loopback listener);"
                    + " attach a VNC sink with websocket, tls.cert and password.file instead\n"));
            return;
        }
        Map<String, Object> answer = actions.act(List.of("attach", "vnc", device, "listen=127.0.0.1:0", "websocket=0",
                "websocket.origins=" + origin, "sink.name=" + LIVE_PREFIX + safeChars(device, "_-", 100)));
        int status = answer.get("status") instanceof Number n ? n.intValue() : 1;
        String message = oneLine(String.valueOf(answer.getOrDefault("message", "no answer")));
        if (status == 0) {
            reporter.report(System.Logger.Level.INFO, "web: live view of " + device + ": " + message);
            res.setHeader("Location", location);
            reply(req, res, 303, "text/plain; charset=utf-8", text(message + "\n"));
            return;
        }
        view(req, res, device, who, status == 2 ? 400 : 500, message);
    }

    /** One of noVNC's module files from the novnc directory, as JavaScript; 404 naming it when it is not there. */
    private void novncFile(HttpServletRequest req, HttpServletResponse res, String relative) throws IOException {
        Path f = novnc.resolve(relative).normalize();
        if (!f.startsWith(novnc) || !Files.isRegularFile(f)) {
            reply(req, res, 404, "text/plain; charset=utf-8", text(oneLine("not found: " + f + " (noVNC's modules come from"
                    + " Debian's novnc package: apt-get install novnc, or set novnc in the console's configuration)")
                    + "\n"));
            return;
        }
        reply(req, res, 200, "text/javascript; charset=utf-8", Files.readAllBytes(f));
    }

    /**
     * What refuses a POST before its body is read: a Content-Type other than a form's (415), a
     * Content-Length over {@link FormBody#MAX_BYTES} (413), an Origin that is not {@code
     * http://HOST} (403); null when none.
     */
    static Route checkPost(String contentType, String contentLength, String origin, String host) {
        return checkPost(contentType, contentLength, origin, host, "http");
    }

    /** As {@link #checkPost(String, String, String, String)} on a console served with {@code scheme}. */
    static Route checkPost(String contentType, String contentLength, String origin, String host, String scheme) {
        String t = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!t.equals("application/x-www-form-urlencoded")) {
            return Route.refused(415, "unsupported form: Content-Type " + oneLine(contentType) + "; the console's"
                    + " forms send application/x-www-form-urlencoded");
        }
        if (contentLength != null) {
            long n;
            try {
                n = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            if (n > FormBody.MAX_BYTES) {
                return Route.refused(413, "the form is longer than " + FormBody.MAX_BYTES + " bytes");
            }
        }
        if (origin != null && !origin.equalsIgnoreCase(scheme + "://" + host)) {
            return Route.refused(403, "refused: Origin " + oneLine(origin) + " is not this console's (" + scheme + "://"
                    + oneLine(host) + "); a page of another site cannot change Scanout");
        }
        return null;
    }

    /** Why a form's CSRF token or cookie is not this server's {@code token}; null when both are. */
    static String checkToken(String token, List<String> cookieHeaders, FormBody form) {
        String cookie = null;
        for (String header : cookieHeaders == null ? List.<String>of() : cookieHeaders) {
            for (String c : header.split(";")) {
                String[] kv = c.trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals(COOKIE)) {
                    cookie = kv[1];
                }
            }
        }
        byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
        boolean field = form.count(TOKEN_FIELD) == 1
                && MessageDigest.isEqual(expected, form.first(TOKEN_FIELD).getBytes(StandardCharsets.UTF_8));
        boolean jar = cookie != null && MessageDigest.isEqual(expected, cookie.getBytes(StandardCharsets.UTF_8));
        if (field && jar) {
            return null;
        }
        return "refused: " + (field ? "" : "the form's CSRF token is missing or wrong") + (field || jar ? "" : " and ")
                + (jar ? "" : "the " + COOKIE + " cookie is missing or wrong") + "; reload the console at / and send"
                + " the form again";
    }

    static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    /** Whether a snapshot's query asks for an attachment: a parameter {@code download=1}. */
    static boolean download(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String p : rawQuery.split("&", -1)) {
            if (p.equals("download=1")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code text} with every character other than an ASCII letter, a digit or one of {@code also}
     * written as {@code _}, at most {@code max} characters: a file name, a header value, an
     * element id.
     */
    static String safeChars(String text, String also, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            b.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || also.indexOf(c) >= 0
                    ? c : '_');
        }
        return b.toString();
    }

    /**
     * The {@code Content-Disposition} of a downloaded snapshot: {@code attachment;
     * filename="NAME-YYYYmmdd-HHMMSS.png"}, the time in UTC, every character of the name other
     * than an ASCII letter, digit, {@code .}, {@code _} or {@code -} written as {@code _} (a
     * header value and a file name on any system), at most 100 of them.
     */
    static String attachment(String device, Instant when) {
        StringBuilder b = new StringBuilder(safeChars(device, "._-", 100));
        if (b.length() == 0 || b.charAt(0) == '.') {
            b.insert(0, "device");
        }
        return "attachment; filename=\"" + b + "-" + FILE_TIME.format(when) + ".png\"";
    }

    private void snapshot(HttpServletRequest req, HttpServletResponse res, String device, boolean download) throws IOException, InterruptedException {
        long now = System.nanoTime();
        Picture p = recent.get(device);
        if (p == null || now - p.nanos() > (p.png() == null ? FAILURE_TTL_NANOS : PICTURE_TTL_NANOS)) {
            try {
                p = new Picture(System.nanoTime(), pictures.png(device), "");
            } catch (NoSuchDevice e) {
                reply(req, res, 404, "text/plain; charset=utf-8", text(oneLine(e.getMessage()) + "\n"));
                return;
            } catch (IllegalStateException e) {
                p = new Picture(System.nanoTime(), null, oneLine("no picture of " + device + ": " + e.getMessage()));
            }
            recent.put(device, p);
            recent.entrySet().removeIf(e -> System.nanoTime() - e.getValue().nanos() > 60_000_000_000L);
        }
        if (p.png() == null) {
            reply(req, res, 503, "text/plain; charset=utf-8", text(p.why() + "\n"));
            return;
        }
        if (download) {
            res.setHeader("Content-Disposition", attachment(device, clock.instant()));
        }
        reply(req, res, 200, "image/png", p.png());
    }

    private void unavailable(HttpServletRequest req, HttpServletResponse res, Map<String, Object> m) throws IOException {
        reply(req, res, 503, "text/plain; charset=utf-8", text("the device model is not available: " + m.get("error") + "\n"));
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

    private static void reply(HttpServletRequest req, HttpServletResponse res, int code, String type, byte[] body)
            throws IOException {
        res.setStatus(code);
        res.setHeader("Content-Type", type);
        if (req.getMethod().equals("HEAD") || body.length == 0) {
            res.setContentLength(0);
            return;
        }
        res.setContentLength(body.length);
        try (OutputStream o = res.getOutputStream()) {
            o.write(body);
        }
    }
}
