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
    private WebServer server;

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

    private WebServer start() {
        WebServer.Model model = verb -> {
            if (modelError != null) {
                return Map.of("error", modelError);
            }
            return switch (verb) {
                case "devices" -> Map.of("model", Map.of("schema", "scanout-ctl/1", "devices", List.copyOf(devices)),
                        "json", DEVICES_JSON);
                case "sinks" -> Map.of("model", Map.of(), "json", SINKS_JSON);
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
        server = new WebServer(new InetSocketAddress("127.0.0.1", 0), model, pictures, reporter,
                Clock.fixed(Instant.parse("2026-12-06T09:05:07.900Z"), ZoneOffset.UTC));
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
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void thePageNamesEveryDeviceWithItsNumbersAndAThumbnail() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        devices.add(device("<b>x&y</b>", "sim:mbochs", "no_signal", "the guest \"blanked\"", ""));
        start();
        HttpResponse<byte[]> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
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
    void nothingButGetAndHeadIsAccepted() throws Exception {
        devices.add(device("desk", "sim:mdpy-vga", "running", "", "region"));
        start();
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/devices"))
                    .timeout(Duration.ofSeconds(120)).method(method, HttpRequest.BodyPublishers.ofString("x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(r.body()).isEqualTo("method " + method + " not allowed: this console is read-only (GET and HEAD)\n");
        }
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
}
