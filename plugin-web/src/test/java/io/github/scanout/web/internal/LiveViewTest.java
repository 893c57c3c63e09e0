package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.support.Reporter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view's page ({@code /view/NAME}) against fake VNC WebSocket registrations and a fake
 * noVNC directory, over real HTTP on loopback: noVNC when a usable WebSocket is attached (the CSP's
 * connect-src exactly its origin), else the still image and why; the on-demand POST {@code /live}
 * attaches a view-only loopback VNC sink through the actions only with the CSRF token.
 */
class LiveViewTest {
    @TempDir
    Path novnc;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final Reporter reporter = (level, message) -> reported.add(level + " " + message);
    private final List<List<String>> acts = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> endpoints = new CopyOnWriteArrayList<>();
    private Served server;

    private Served start() {
        WebServer.Model model = verb -> switch (verb) {
            case "devices" -> Map.of("model", Map.of("devices", List.of(Map.of("name", "desk", "spec", "sim:mdpy-vga",
                    "mode", "640x480 XR24"))), "json", "{}");
            case "sinks" -> Map.of("model", Map.of("sinks", List.of()), "json", "{}");
            case "keys" -> Map.of("model", Map.of("types", List.of()), "json", "{}");
            default -> Map.of("error", "unknown " + verb);
        };
        server = Served.start(new WebServer(false, true, Access.local(), model, request -> {
            acts.add(List.copyOf(request));
            return request.contains("vnc") ? Map.of("status", 0, "message", "attached web-live-desk (vnc) to desk")
                    : Map.of("status", 2, "message", "no");
        }, device -> new byte[] {1}, () -> List.copyOf(endpoints), novnc, reporter, Clock.systemUTC()), null);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static Map<String, Object> endpoint(String device, String url, String origins, boolean input,
            boolean password) {
        return Map.of("device", device, "url", url, "origins", origins, "input", String.valueOf(input), "password",
                String.valueOf(password), "sink.name", "v1");
    }

    private String origin() {
        return server.url().substring(0, server.url().length() - 1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).timeout(Duration.ofSeconds(120))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form, boolean withToken) throws Exception {
        String cookie = get("/").headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String token = cookie.substring(cookie.indexOf('=') + 1);
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(120)).header("Cookie", cookie).header("Origin", origin())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form + (withToken ? "&csrf=" + token : ""))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void installNoVnc() throws Exception {
        Files.createDirectories(novnc.resolve("core/util"));
        Files.writeString(novnc.resolve("core/rfb.js"), "export default class RFB {}\n");
        Files.writeString(novnc.resolve("core/util/logging.js"), "export function Debug() {}\n");
        Files.writeString(novnc.resolve("vnc.html"), "<html></html>\n");
    }

    @Test
    void withAVncWebSocketThePageRunsNoVncAgainstItAndTheCspAllowsExactlyItsOrigin() throws Exception {
        installNoVnc();
        start();
        endpoints.add(endpoint("other", "ws://127.0.0.1:5999/", "*", false, false));
        endpoints.add(endpoint("desk", "ws://127.0.0.1:6001/", origin(), true, false));
        HttpResponse<String> r = get("/view/desk");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; img-src 'self' data:;"
                + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'; connect-src ws://127.0.0.1:6001");
        String html = r.body();
        // input=true and the local user controls: keys and pointer go through
        assertThat(html).contains("<script type=\"module\" src=\"/view.js\"></script>",
                "<div id=\"screen\" data-url=\"ws://127.0.0.1:6001/\" data-view-only=\"false\"",
                "<title>Scanout: desk</title>", "<a href=\"/\">All devices</a>");
        assertThat(html).doesNotContain("console.js").doesNotContain("<img").doesNotContain("style=")
                .doesNotContain("<script>");
        // the view's script and noVNC's modules, same origin, as JavaScript
        HttpResponse<String> js = get("/view.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("import RFB from '/novnc/core/rfb.js';");
        HttpResponse<String> rfb = get("/novnc/core/rfb.js");
        assertThat(rfb.statusCode()).isEqualTo(200);
        assertThat(rfb.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(rfb.body()).isEqualTo("export default class RFB {}\n");
        assertThat(get("/novnc/core/util/logging.js").statusCode()).isEqualTo(200);
        // only core/ and vendor/ modules, nothing above the directory
        assertThat(get("/novnc/vnc.html").statusCode()).isEqualTo(404);
        assertThat(get("/novnc/core/../vnc.html").statusCode()).isEqualTo(404);
        assertThat(get("/novnc/core/%2e%2e/%2e%2e/etc/passwd.js").statusCode()).isEqualTo(404);
        HttpResponse<String> missing = get("/novnc/core/nothing.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("not found: " + novnc.toAbsolutePath().normalize().resolve("core/nothing.js")
                + " (noVNC's modules come from Debian's novnc package: apt-get install novnc, or set novnc in the"
                + " console's configuration)\n");
    }

    @Test
    void aViewOnlySinkIsViewOnlyAndASinkOnEveryAddressIsReachedOnTheConsolesHost() {
        WebServer.LiveView v = WebServer.liveView("desk", List.of(endpoint("desk", "ws://0.0.0.0:6001/", "*", false,
                false)), "https://box.example:8443", "box.example:8443", true, false, true, Path.of("/n"));
        assertThat(v.url()).isEqualTo("ws://box.example:6001/");
        assertThat(v.viewOnly()).isTrue();
        assertThat(WebServer.csp(v.url())).endsWith("; connect-src ws://box.example:6001");
        // input=true, but a viewer: view-only
        assertThat(WebServer.liveView("desk", List.of(endpoint("desk", "wss://h:1/", "*", true, false)), "o", "h",
                false, false, true, Path.of("/n")).viewOnly()).isTrue();
    }

    @Test
    void withoutAVncSinkTheStillImageAndWhyAndForTheControllerAnOpenLiveViewForm() throws Exception {
        installNoVnc();
        start();
        HttpResponse<String> r = get("/view/desk");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(WebServer.CSP);
        String html = r.body();
        assertThat(html).contains("<p id=\"view-why\" role=\"status\">Still image, refreshed about once a second: no VNC"
                + " sink with a WebSocket listener is attached to desk: Open live view attaches one</p>",
                "<img class=\"thumb still\" src=\"/api/devices/desk/snapshot.png\"",
                "<script src=\"/console.js\" defer></script>", "<form class=\"live\" method=\"post\" action=\"/live\">",
                "<input type=\"hidden\" name=\"device\" value=\"desk\">", "<button type=\"submit\">Open live view</button>");
        assertThat(html).doesNotContain("view.js").doesNotContain("id=\"screen\"");
        // nothing changes on GET
        assertThat(get("/live").statusCode()).isEqualTo(405);
        assertThat(acts).isEmpty();
        // the index page's card links to the view
        assertThat(get("/").body()).contains("<a class=\"live\" href=\"/view/desk\">Live view</a>");
        assertThat(get("/view/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/view/nothing").body()).isEqualTo("no device nothing (devices: desk)\n");
    }

    @Test
    void whyThereIsNoLiveViewIsSaidInOneLine() throws Exception {
        start(); // no noVNC in the directory
        // without noVNC no Open live view either: an attached sink could not be shown
        assertThat(get("/view/desk").body()).contains("Still image, refreshed about once a second: noVNC is not"
                + " installed (no ").doesNotContain("action=\"/live\"");
        endpoints.add(endpoint("desk", "ws://127.0.0.1:6001/", origin(), false, false));
        assertThat(get("/view/desk").body()).contains("Still image, refreshed about once a second: noVNC is not"
                + " installed (no " + novnc.toAbsolutePath().normalize().resolve("core/rfb.js") + "): apt-get install"
                + " novnc, or set novnc in the console&#39;s configuration</p>");
        installNoVnc();
        endpoints.clear();
        endpoints.add(endpoint("desk", "ws://127.0.0.1:6001/", "http://elsewhere:1", false, false));
        assertThat(get("/view/desk").body()).contains("the VNC sink v1 does not allow this console&#39;s origin: add "
                + origin() + " to its websocket.origins</p>");
        endpoints.clear();
        endpoints.add(endpoint("desk", "ws://127.0.0.1:6001/", "*", false, true));
        HttpResponse<String> r = get("/view/desk");
        assertThat(r.body()).contains("the VNC sink v1 asks for a password (password.file); the live view connects to"
                + " a VNC sink without one</p>");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(WebServer.CSP);
    }

    @Test
    void openLiveViewAttachesAViewOnlyLoopbackVncSinkThroughTheActionsOnlyWithTheToken() throws Exception {
        installNoVnc();
        start();
        HttpResponse<String> refused = post("/live", "device=desk", false);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).startsWith("refused: the form's CSRF token is missing or wrong");
        assertThat(acts).isEmpty();
        HttpResponse<String> r = post("/live", "device=desk", true);
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/view/desk");
        assertThat(acts).containsExactly(List.of("attach", "vnc", "desk", "listen=127.0.0.1:0", "websocket=0",
                "websocket.origins=" + origin(), "sink.name=web-live-desk"));
        assertThat(reported).contains("INFO web: live view of desk: attached web-live-desk (vnc) to desk");
    }
}
