package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's routes against a fake model and fake pictures, over real HTTP on loopback. */
class WebServerTest {
    static final String DEVICES_JSON = "{\"schema\":\"scanout-ctl/1\",\"command\":\"devices\",\"devices\":[]}";
    static final String SINKS_JSON = "{\"schema\":\"scanout-ctl/1\",\"command\":\"sinks\",\"sinks\":[]}";
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final Reporter reporter = (level, message) -> reported.add(level + " " + message);
    private final AtomicInteger shots = new AtomicInteger();
    private final List<Map<String, Object>> devices = new ArrayList<>();
    private volatile String modelError;
    private final List<List<String>> acts = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> sinks = new ArrayList<>();

    private static Map<String, Object> key(String name, String description, Object def, List<String> options) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("name", name);
        k.put("type", "string");
        k.put("options", options);
        k.put("default", def);
        k.put("required", def == null || !String.valueOf(def).isEmpty()); // as MetaType: a key with a default is required
        k.put("description", description);
        return k;
    }

    private static Map<String, Object> typed(Map<String, Object> key, String type) {
        key.put("type", type);
        return key;
    }

    private static Map<String, Object> sink(String name, String device, String origin) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("name", name);
        k.put("device", device);
        k.put("origin", origin);
        k.put("received", 7L);
        k.put("written", 5L);
        k.put("dropped", 2L);
        k.put("errors", 0L);
        return k;
    }

    /** What the launcher's attach and detach answer: errors as scanout ctl words them. */
    private Map<String, Object> act(List<String> request) {
        acts.add(List.copyOf(request));
        if (request.get(0).equals("detach")) {
            return request.get(1).equals("ctl-file-1") ? Map.of("status", 0, "message", "detached ctl-file-1")
                    : Map.of("status", 2, "message", "no sink " + request.get(1) + " (attached here: ctl-file-1)");
        }
        for (String pair : request.subList(3, request.size())) {
            if (pair.startsWith("path=<")) {
                return Map.of("status", 2, "message", "attach file desk: path = '" + pair.substring(5)
                        + "' is refused: not a <directory>");
            }
            if (pair.startsWith("sink.name=")) {
                return Map.of("status", 1, "message", "sink x (file:/y) did not attach to desk within 5 s");
            }
        }
        return Map.of("status", 0, "message", "attached ctl-file-1 (file:/x) to desk");
    }
    private Served server;

    private static Map<String, Object> device(String name, String spec, String state, String reason, String source) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        d.put("spec", spec);
        d.put("state", state);
        d.put("reason", reason);
        d.put("source", source);
        d.put("mode", source.isEmpty() ? "" : "640x480 XR24");
        d.put("captured", 12L);
        d.put("delivered", 24L);
        d.put("dropped", 3L);
        d.put("fps", 29.9);
        d.put("latencyP50Micros", 1234L);
        d.put("latencyP99Micros", 5600L);
        d.put("sinks", 2);
        return d;
    }

    private Served start() {
        WebServer.Model model = verb -> {
            if (modelError != null) {
                return Map.of("error", modelError);
            }
            return switch (verb) {
                case "devices" -> Map.of("model", Map.of("schema", "scanout-ctl/1", "devices", List.copyOf(devices)),
                        "json", DEVICES_JSON);
                case "sinks" -> Map.of("model", Map.of("sinks", List.copyOf(sinks)), "json", SINKS_JSON);
                case "keys" -> Map.of("model", Map.of("types", List.of(Map.of("type", "file"))), "json", "{}");
                case "keys file" -> Map.of("model", Map.of("type", "file", "keys", List.of(
                        key("path", "The <directory> for the files", null, List.of()),
                        key("format", "png, y4m or raw", "png", List.of("png", "y4m", "raw")),
                        key("sink.name", "The sink's name", "", List.of()),
                        typed(key("max.fps", "Most frames per second", "auto", List.of("auto")), "double"),
                        typed(key("atomic", "Rename", true, List.of()), "boolean"),
                        key("device", "The device", "", List.of()))), "json", "{}");
                default -> Map.of("error", "unknown " + verb);
            };
        };
        WebServer.Pictures pictures = name -> {
            shots.incrementAndGet();
            return switch (name) {
                case "desk" -> PNG;
                case "dark" -> throw new IllegalStateException("no frame from dark within 5000 ms: no signal");
                default -> throw new WebServer.NoSuchDevice("no device " + name + " (devices: dark, desk)");
            };
        };
        server = Served.start(new WebServer(model, this::act, pictures, reporter,
                Clock.fixed(Instant.parse("2026-12-06T09:05:07.900Z"), ZoneOffset.UTC)), null);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).timeout(Duration.ofSeconds(120))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static void assertSecurityHeaders(HttpResponse<?> r) {
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                .contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void thePageNamesEveryDeviceWithItsNumbersAndAThumbnail() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        devices.add(device("<b>x&y</b>", "sim:mbochs", "no_signal", "the guest \"blanked\"", ""));
        start();
        HttpResponse<byte[]> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        // Jetty writes the type it knows in its own form (no space), as Felix HTTP Jetty does
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
        assertSecurityHeaders(r);
        String html = body(r);
        assertThat(html).contains("<li class=\"device\" data-device=\"desk\">", "<h2 class=\"name\">desk</h2>",
                "<img class=\"thumb\" src=\"/api/devices/desk/snapshot.png\"", "<p class=\"why\" role=\"status\"></p>",
                "<dd class=\"spec\">sim:mdpy-vga</dd>",
                "<dd class=\"state\">running</dd>", "<dd class=\"mode\">640x480 XR24</dd>",
                "<dd class=\"source\">region</dd>", "<dd class=\"fps\">29.9</dd>",
                "<dd class=\"dropped\">3</dd>", "<dd class=\"latency\">1.2 ms / 5.6 ms</dd>", "<dd class=\"sinks\">2</dd>",
                "<script src=\"/console.js\" defer></script>", "<title>Scanout: 2 devices</title>",
                "<a class=\"download\" href=\"/api/devices/desk/snapshot.png?download=1\" download"
                        + " aria-label=\"Download PNG of desk\">Download PNG</a>");
        // model text is escaped, the name in the URL percent-encoded
        assertThat(html).contains("<h2 class=\"name\">&lt;b&gt;x&amp;y&lt;/b&gt;</h2>",
                "src=\"/api/devices/%3Cb%3Ex%26y%3C%2Fb%3E/snapshot.png\"",
                "href=\"/api/devices/%3Cb%3Ex%26y%3C%2Fb%3E/snapshot.png?download=1\" download"
                        + " aria-label=\"Download PNG of &lt;b&gt;x&amp;y&lt;/b&gt;\">",
                "<dd class=\"state\">no_signal (the guest &quot;blanked&quot;)</dd>", "<dd class=\"source\">none</dd>");
        assertThat(html).doesNotContain("<b>x").doesNotContain("<script>").doesNotContain("style=");
        assertThat(shots).hasValue(0); // rendering the page takes no picture
    }

    @Test
    void noDevicesSaysSo() throws Exception {
        start();
        assertThat(body(get("/"))).contains("No devices are configured.", "<title>Scanout: 0 devices</title>");
    }

    @Test
    void theJsonIsTheCtlModelsTextUnchanged() throws Exception {
        start();
        HttpResponse<byte[]> d = get("/api/devices");
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(d.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(body(d)).isEqualTo(DEVICES_JSON + "\n");
        assertSecurityHeaders(d);
        HttpResponse<byte[]> s = get("/api/sinks");
        assertThat(body(s)).isEqualTo(SINKS_JSON + "\n");
    }

    @Test
    void aModelThatIsNotThereIs503WithTheReason() throws Exception {
        modelError = "the instance is stopping: framework stopped";
        start();
        HttpResponse<byte[]> r = get("/api/devices");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(body(r)).isEqualTo("the device model is not available: the instance is stopping: framework stopped\n");
        assertThat(get("/").statusCode()).isEqualTo(503);
    }

    @Test
    void snapshotsArePngsAndSharedForHalfASecond() throws Exception {
        start();
        HttpResponse<byte[]> r = get("/api/devices/desk/snapshot.png");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        assertSecurityHeaders(r);
        assertThat(r.body()).isEqualTo(PNG);
        long before = System.nanoTime();
        assertThat(get("/api/devices/desk/snapshot.png?t=2").body()).isEqualTo(PNG);
        if (System.nanoTime() - before < WebServer.PICTURE_TTL_NANOS) {
            assertThat(shots).hasValue(1);
        }
        Thread.sleep(WebServer.PICTURE_TTL_NANOS / 1_000_000 + 100);
        get("/api/devices/desk/snapshot.png");
        assertThat(shots.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aDownloadIsThePngAsAnAttachmentNamedAfterTheDeviceAndTheTime() throws Exception {
        start();
        HttpResponse<byte[]> r = get("/api/devices/desk/snapshot.png?download=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(r.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"desk-20261206-090507.png\"");
        assertSecurityHeaders(r);
        assertThat(r.body()).isEqualTo(PNG);
        assertThat(get("/api/devices/desk/snapshot.png?t=5&download=1").headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"desk-20261206-090507.png\"");
        // a thumbnail is shown in the page, not downloaded
        assertThat(get("/api/devices/desk/snapshot.png").headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(get("/api/devices/desk/snapshot.png?download=0").headers().firstValue("Content-Disposition")).isEmpty();
        // no picture, no attachment: the reason as text
        HttpResponse<byte[]> dark = get("/api/devices/dark/snapshot.png?download=1");
        assertThat(dark.statusCode()).isEqualTo(503);
        assertThat(dark.headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(get("/api/devices/nope/snapshot.png?download=1").headers().firstValue("Content-Disposition")).isEmpty();
    }

    @Test
    void theAttachmentNameKeepsOnlySafeCharacters() {
        Instant t = Instant.parse("2027-01-31T23:59:58Z");
        assertThat(WebServer.attachment("vm-1.gpu_0", t)).isEqualTo("attachment; filename=\"vm-1.gpu_0-20270131-235958.png\"");
        assertThat(WebServer.attachment("a\"b\r\nX: y/../é", t))
                .isEqualTo("attachment; filename=\"a_b__X__y_..__-20270131-235958.png\"");
        assertThat(WebServer.attachment("", t)).isEqualTo("attachment; filename=\"device-20270131-235958.png\"");
        assertThat(WebServer.attachment("..", t)).isEqualTo("attachment; filename=\"device..-20270131-235958.png\"");
        assertThat(WebServer.attachment("x".repeat(500), t)).hasSize("attachment; filename=\"".length() + 100
                + "-20270131-235958.png\"".length());
        assertThat(WebServer.download("download=1")).isTrue();
        assertThat(WebServer.download("t=1&download=1")).isTrue();
        assertThat(WebServer.download(null)).isFalse();
        assertThat(WebServer.download("download=10")).isFalse();
        assertThat(WebServer.download("xdownload=1")).isFalse();
    }

    @Test
    void unknownDevicesAndDevicesWithoutPictureSaySo() throws Exception {
        start();
        HttpResponse<byte[]> unknown = get("/api/devices/nope/snapshot.png");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(body(unknown)).isEqualTo("no device nope (devices: dark, desk)\n");
        int before = shots.get();
        long start = System.nanoTime();
        HttpResponse<byte[]> dark = get("/api/devices/dark/snapshot.png");
        assertThat(dark.statusCode()).isEqualTo(503);
        assertThat(body(dark)).isEqualTo("no picture of dark: no frame from dark within 5000 ms: no signal\n");
        HttpResponse<byte[]> again = get("/api/devices/dark/snapshot.png?t=1");
        assertThat(again.statusCode()).isEqualTo(503);
        assertThat(body(again)).isEqualTo(body(dark));
        if (System.nanoTime() - start < WebServer.FAILURE_TTL_NANOS) {
            assertThat(shots.get() - before).as("a device without a picture is not asked again at once").isEqualTo(1);
        }
        HttpResponse<byte[]> other = get("/etc/passwd");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(body(other)).startsWith("not found: /etc/passwd");
        assertSecurityHeaders(other);
    }

    @Test
    void theScriptAndStyleAreServedFromTheBundle() throws Exception {
        start();
        HttpResponse<byte[]> js = get("/console.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(body(js)).contains("snapshot", "/api/devices", "setInterval");
        HttpResponse<byte[]> css = get("/console.css");
        assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(body(css)).contains(".thumb");
    }

    @Test
    void nothingButGetAndHeadIsAcceptedButOnTheForms() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        start();
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/devices"))
                    .timeout(Duration.ofSeconds(120)).method(method, HttpRequest.BodyPublishers.ofString("x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(r.body()).isEqualTo("method " + method + " not allowed on /api/devices (GET and HEAD; the forms"
                    + " POST to /attach, /detach and /live)\n");
        }
        for (String path : List.of("attach", "detach")) {
            for (String method : List.of("GET", "HEAD", "PUT")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path + "?type=file"
                        + "&device=desk&k.path=/tmp/x&name=ctl-file-1")).timeout(Duration.ofSeconds(120))
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(method + " /" + path).isEqualTo(405);
                assertThat(r.headers().firstValue("Allow")).hasValue("POST");
                if (!method.equals("HEAD")) {
                    assertThat(r.body()).isEqualTo("method " + method + " not allowed on /" + path + ": it changes the"
                            + " instance, only the console's form POSTs to it\n");
                }
            }
        }
        assertThat(acts).as("nothing changes on GET").isEmpty();
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(120))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(shots).hasValue(0);
    }

    @Test
    void aHostThatIsNotLoopbackIsRefused() throws Exception {
        start();
        assertThat(raw("evil.example:" + server.address().getPort())).startsWith("HTTP/1.1 403").contains(
                "refused: Host evil.example:" + server.address().getPort() + " is not a loopback name or address");
        assertThat(raw("localhost:" + server.address().getPort())).startsWith("HTTP/1.1 200");
        assertThat(raw("127.0.0.1")).startsWith("HTTP/1.1 200");
        assertThat(raw("[::1]:8080")).startsWith("HTTP/1.1 200");
    }

    private String raw(String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(120_000);
            OutputStream o = s.getOutputStream();
            o.write(("GET /api/sinks HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    // ---- the forms ---------------------------------------------------------------------------------

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile(
            "<input type=\"hidden\" name=\"csrf\" value=\"([A-Za-z0-9_-]{43})\">");

    /** The page's token and its cookie (name=value), checking they are the same. */
    private String[] tokenAndCookie() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        var m = TOKEN.matcher(body(page));
        assertThat(m.find()).as("a token in the page's forms").isTrue();
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).isEqualTo("scanout_csrf=" + m.group(1) + "; SameSite=Strict; HttpOnly; Path=/");
        return new String[] {m.group(1), cookie.split(";")[0]};
    }

    private HttpResponse<String> post(String path, String body, String cookie, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String origin() {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    @Test
    void thePageHasAnAttachFormPerTypeAndADetachButtonForSinksAttachedAtRunTime() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        sinks.add(sink("ctl-file-1", "desk", "ctl"));
        sinks.add(sink("shots", "desk", "command line"));
        sinks.add(sink("<i>conf</i>", "desk", "conf"));
        start();
        String token = tokenAndCookie()[0];
        String html = body(get("/"));
        assertThat(html).contains("<form class=\"attach\" method=\"post\" action=\"/attach\">",
                "<input type=\"hidden\" name=\"csrf\" value=\"" + token + "\">",
                "<input type=\"hidden\" name=\"device\" value=\"desk\"><input type=\"hidden\" name=\"type\" value=\"file\">",
                "<summary>Attach a file sink</summary>",
                "<label for=\"d0-0-path\">path</label> <input id=\"d0-0-path\" name=\"k.path\""
                        + " aria-describedby=\"d0-0-path-help\" value=\"\">",
                "<input id=\"d0-0-max_fps\" name=\"k.max.fps\" aria-describedby=\"d0-0-max_fps-help\" value=\"\""
                        + " list=\"d0-0-max_fps-options\"><datalist id=\"d0-0-max_fps-options\"><option value=\"auto\">",
                "<select id=\"d0-0-atomic\" name=\"k.atomic\" aria-describedby=\"d0-0-atomic-help\"><option value=\"\">"
                        + "(default)</option><option>true</option><option>false</option></select>",
                "<span class=\"help\" id=\"d0-0-path-help\">The &lt;directory&gt; for the files (required)</span>",
                "<span class=\"help\" id=\"d0-0-format-help\">png, y4m or raw (default png)</span>",
                "<label for=\"d0-0-format\">format</label> <select id=\"d0-0-format\" name=\"k.format\"",
                "<option>y4m</option>", "(default png)",
                "<label for=\"d0-0-sink_name\">sink.name</label>",
                "<button type=\"submit\">Attach a file sink to desk</button>",
                "<form class=\"detach\" method=\"post\" action=\"/detach\">",
                "<input type=\"hidden\" name=\"name\" value=\"ctl-file-1\"><button type=\"submit\">Detach ctl-file-1</button>",
                "<span class=\"sink-name\">shots</span> (command line): received 7, wrote 5, dropped 2, errors 0"
                        + " <span class=\"fixed\">given with --sink: it stays until the instance stops</span>",
                "<span class=\"sink-name\">&lt;i&gt;conf&lt;/i&gt;</span> (conf)");
        assertThat(html).doesNotContain("name=\"k.device\"").doesNotContain("Detach shots")
                .doesNotContain("<i>conf").doesNotContain("aria-invalid");
        assertThat(html.split("Detach ", -1)).hasSize(2);
        assertThat(acts).as("rendering the page changes nothing").isEmpty();
    }

    @Test
    void aFormWithTokenAndCookieAttachesThroughTheActionsAndRedirectsToThePage() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        start();
        String[] t = tokenAndCookie();
        HttpResponse<String> r = post("attach", "csrf=" + t[0] + "&device=desk&type=file&k.path=%2Ftmp%2Fa+b&k.format=png"
                + "&k.sink.name=", t[1], origin());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/");
        assertSecurityHeaders(r);
        // empty values are left to their defaults, as on the command line
        assertThat(acts).containsExactly(List.of("attach", "file", "desk", "path=/tmp/a b", "format=png"));
        // without an Origin header (an older browser, curl) the token and cookie suffice
        HttpResponse<String> d = post("detach", "name=ctl-file-1&csrf=" + t[0], "theme=dark; " + t[1], null);
        assertThat(d.statusCode()).isEqualTo(303);
        assertThat(acts).hasSize(2).last().isEqualTo(List.of("detach", "ctl-file-1"));
        assertThat(reported).contains("INFO web: attached ctl-file-1 (file:/x) to desk", "INFO web: detached ctl-file-1");
    }

    @Test
    void aMissingOrWrongTokenOrCookieOrAForeignOriginIs403AndRunsNothing() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        start();
        String[] t = tokenAndCookie();
        String form = "device=desk&type=file&k.path=%2Ftmp%2Fx";
        String wrong = "A".repeat(43);
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        answers.put("no token", post("attach", form, t[1], origin()));
        answers.put("wrong token", post("attach", form + "&csrf=" + wrong, t[1], origin()));
        answers.put("two tokens", post("attach", form + "&csrf=" + t[0] + "&csrf=" + t[0], t[1], origin()));
        answers.put("no cookie", post("attach", form + "&csrf=" + t[0], null, origin()));
        answers.put("wrong cookie", post("attach", form + "&csrf=" + t[0], "scanout_csrf=" + wrong, origin()));
        answers.put("cookie as token", post("attach", form + "&csrf=" + wrong, "scanout_csrf=" + wrong, origin()));
        answers.put("foreign origin", post("attach", form + "&csrf=" + t[0], t[1], "https://evil.example"));
        answers.put("null origin", post("attach", form + "&csrf=" + t[0], t[1], "null"));
        answers.put("other port", post("attach", form + "&csrf=" + t[0], t[1], "http://127.0.0.1:1"));
        answers.put("detach without token", post("detach", "name=ctl-file-1", t[1], origin()));
        for (Map.Entry<String, HttpResponse<String>> e : answers.entrySet()) {
            assertThat(e.getValue().statusCode()).as(e.getKey()).isEqualTo(403);
            assertThat(e.getValue().body()).as(e.getKey()).startsWith("refused: ").endsWith("\n")
                    .hasLineCount(1);
        }
        assertThat(answers.get("no token").body()).isEqualTo("refused: the form's CSRF token is missing or wrong;"
                + " reload the console at / and send the form again\n");
        assertThat(answers.get("no cookie").body()).isEqualTo("refused: the scanout_csrf cookie is missing or wrong;"
                + " reload the console at / and send the form again\n");
        assertThat(answers.get("cookie as token").body()).isEqualTo("refused: the form's CSRF token is missing or wrong"
                + " and the scanout_csrf cookie is missing or wrong; reload the console at / and send the form again\n");
        assertThat(answers.get("foreign origin").body()).isEqualTo("refused: Origin https://evil.example is not this"
                + " console's (" + origin() + "); a page of another site cannot change Scanout\n");
        assertThat(acts).as("nothing is attached or detached").isEmpty();
    }

    @Test
    void aBodyOverTheCapIs413AndOtherTypesAre415() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        start();
        String[] t = tokenAndCookie();
        String big = "csrf=" + t[0] + "&device=desk&type=file&k.path=" + "x".repeat(FormBody.MAX_BYTES);
        HttpResponse<String> sized = post("attach", big, t[1], origin());
        assertThat(sized.statusCode()).isEqualTo(413);
        assertThat(sized.body()).isEqualTo("the form is longer than 16384 bytes\n");
        // chunked, without a Content-Length: read up to the cap and refused
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create(server.url() + "attach"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", t[1]).POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.US_ASCII)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(server.url() + "attach"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json").header("Cookie", t[1])
                .POST(HttpRequest.BodyPublishers.ofString("{\"csrf\":\"" + t[0] + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(415);
        assertThat(json.body()).isEqualTo("unsupported form: Content-Type application/json; the console's forms send"
                + " application/x-www-form-urlencoded\n");
        HttpResponse<String> bad = post("attach", "csrf=" + t[0] + "&k.path=%zz", t[1], origin());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("a '%' at byte " + ("csrf=" + t[0] + "&k.path=").length()
                + " of the form is not followed by two hex digits\n");
        assertThat(acts).isEmpty();
    }

    @Test
    void anErrorNamingAKeyIsShownNextToItsInputWithTheValuesKeptAndEscaped() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        devices.add(device("other", "sim:mbochs", "running", "", "region"));
        start();
        String[] t = tokenAndCookie();
        HttpResponse<String> r = post("attach", "csrf=" + t[0] + "&device=desk&type=file&k.path=%3Cx%22%3E&k.format=y4m",
                t[1], origin());
        assertThat(r.statusCode()).isEqualTo(400);
        // Jetty writes the type it knows in its own form (no space), as Felix HTTP Jetty does
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
        String html = r.body();
        assertThat(html).contains("<details class=\"attach\" open>",
                "<input id=\"d0-0-path\" name=\"k.path\" aria-describedby=\"d0-0-path-help d0-0-path-error\""
                        + " aria-invalid=\"true\" value=\"&lt;x&quot;&gt;\">",
                "<span class=\"error\" id=\"d0-0-path-error\" role=\"alert\">attach file desk: path = &#39;&lt;x&quot;&gt;&#39;"
                        + " is refused: not a &lt;directory&gt;</span>",
                "<option selected>y4m</option>");
        // only that device's form is open and marked; the other device's path is empty
        assertThat(html.split("aria-invalid", -1)).hasSize(2);
        assertThat(html).contains("<input id=\"d1-0-path\" name=\"k.path\" aria-describedby=\"d1-0-path-help\" value=\"\">");
        assertThat(html).doesNotContain("<x\"");
        // an error that names no key goes at the top of the form
        HttpResponse<String> top = post("attach", "csrf=" + t[0] + "&device=desk&type=file&k.path=%2Fx&k.sink.name=y",
                t[1], origin());
        assertThat(top.statusCode()).isEqualTo(500);
        assertThat(top.body()).contains("<form class=\"attach\" method=\"post\" action=\"/attach\""
                + " aria-describedby=\"d0-0-error\">", "<p class=\"error\" id=\"d0-0-error\" role=\"alert\">sink x"
                + " (file:/y) did not attach to desk within 5 s</p>").doesNotContain("aria-invalid");
        // a refused detach: at the top of the page
        HttpResponse<String> detach = post("detach", "csrf=" + t[0] + "&name=%3Cb%3E", t[1], origin());
        assertThat(detach.statusCode()).isEqualTo(400);
        assertThat(detach.body()).contains("<p class=\"error\" role=\"alert\">no sink &lt;b&gt; (attached here:"
                + " ctl-file-1)</p>");
        assertThat(acts).hasSize(3);
    }

    @Test
    void theFieldAnErrorNamesIsFoundInScanoutCtlsWording() {
        List<String> keys = List.of("path", "format", "sink.name", "sink");
        assertThat(Page.fieldOf("attach file desk: unknown key 'colour' for a file sink (known: path)", keys)).isEmpty();
        assertThat(Page.fieldOf("attach file desk: unknown key 'format' for a file sink", keys)).isEqualTo("format");
        assertThat(Page.fieldOf("attach file desk: path = '' is refused: empty", keys)).isEqualTo("path");
        assertThat(Page.fieldOf("attach file desk: path is missing; expected text", keys)).isEqualTo("path");
        assertThat(Page.fieldOf("attach file desk: 'format' is given twice", keys)).isEqualTo("format");
        assertThat(Page.fieldOf("attach file desk: sink.name = 'x y' is refused", keys)).isEqualTo("sink.name");
        assertThat(Page.fieldOf("attach file desk: path: not a directory", keys)).isEqualTo("path");
        assertThat(Page.fieldOf("no device desk (devices: none)", keys)).isEmpty();
        assertThat(Page.fieldOf("attach file desk: pathname is wrong", keys)).isEmpty();
    }
}
