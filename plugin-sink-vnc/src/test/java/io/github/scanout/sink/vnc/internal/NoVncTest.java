package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * noVNC (Debian novnc, its {@code vnc_lite.html} page served over HTTP as a web server would)
 * in headless Chromium driven through chromedriver's WebDriver HTTP interface connects straight
 * to the sink's WebSocket listener, and the picture noVNC draws (its canvas, read back as PNG)
 * is the frame within 30 dB PSNR (noVNC asks for Tight with JPEG at quality level 6), and after a
 * mode change the new frame at its new size (noVNC follows the sink's DesktopSize). A page
 * from an origin not in {@code websocket.origins} is refused.
 */
class NoVncTest {
    static final Path NOVNC = Path.of("/usr/share/novnc");
    static final Pattern SESSION = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern DATA_URL = Pattern.compile("\"value\"\\s*:\\s*\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

    @Test
    void noVncInHeadlessChromiumShowsThePicture() throws Exception {
        HttpServer pages = pages();
        int w = 480;
        int h = 320;
        int[] picture = TestFrames.desktop(w, h);
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        Process driver = null;
        try (RealClients.Server s = new RealClients.Server(Map.of("websocket", "0", "websocket.origins", origin))) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            int driverPort = freePort();
            driver = startDriver(driverPort);
            String base = "http://127.0.0.1:" + driverPort;
            String session = newSession(base);
            try {
                String page = origin + "/vnc_lite.html?host=127.0.0.1&port=" + s.sink.websocketPort()
                        + "&path=&view_only=true";
                post(base + "/session/" + session + "/url", "{\"url\":\"" + page + "\"}");
                double psnr = awaitCanvas(base, session, picture, w, h);
                System.err.printf("noVNC canvas: PSNR %.1f dB%n", psnr);
                // the guest changes mode: noVNC follows (DesktopSize) and draws the new picture at its size,
                // as the web console's live view (the same noVNC client on the same WebSocket) does
                int w2 = 640;
                int h2 = 400;
                int[] second = TestFrames.desktop(w2, h2);
                s.sink.frame(TestFrames.frame(second, w2, h2, 2));
                double psnr2 = awaitCanvas(base, session, second, w2, h2);
                System.err.printf("noVNC canvas after the mode change to %dx%d: PSNR %.1f dB%n", w2, h2, psnr2);
                s.awaitLog("viewer ws:127.0.0.1:");
                assertThat(s.awaitLog("connected (RFB 3.8, no authentication)")).contains("viewer ws:127.0.0.1:");
                Files.write(dir.resolve("page.png"), Base64.getDecoder().decode(value(get(base + "/session/" + session
                        + "/screenshot"))));
            } finally {
                delete(base + "/session/" + session);
            }
            // a page from another origin is refused before any RFB byte
            try (java.net.Socket raw = new java.net.Socket("127.0.0.1", s.sink.websocketPort())) {
                raw.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Origin: http://evil.example\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                String reply = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(reply).startsWith("HTTP/1.1 403 Forbidden");
            }
            s.awaitLog("refused: websocket: a page from origin http://evil.example (not in websocket.origins)");
        } finally {
            stop(pages, driver);
        }
    }

    /**
     * Input from a real browser: WebDriver clicks noVNC's canvas and types on it (Chromium's own
     * key and mouse events, turned into RFB KeyEvent and PointerEvent messages by noVNC). With
     * {@code input=true} the device's target gets them in order, the click at the canvas pixel
     * it was made on; a view-only sink (the default) reads the same events and drops them.
     */
    @Test
    void noVncsKeysAndClicksReachTheDeviceOnlyWithInputOn() throws Exception {
        HttpServer pages = pages();
        int w = 480;
        int h = 320;
        int[] picture = TestFrames.desktop(w, h);
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        RecordingTarget target = new RecordingTarget();
        RecordingTarget ignored = new RecordingTarget();
        Process driver = null;
        try (RealClients.Server on = new RealClients.Server(Map.of("websocket", "0", "websocket.origins", origin,
                "input", "true"));
                RealClients.Server off = new RealClients.Server(Map.of("websocket", "0", "websocket.origins", origin))) {
            on.sink.frame(TestFrames.frame(picture, w, h, 1));
            on.sink.inputTarget(java.util.Optional.of(target));
            off.sink.frame(TestFrames.frame(picture, w, h, 1));
            off.sink.inputTarget(java.util.Optional.of(ignored));
            int driverPort = freePort();
            driver = startDriver(driverPort);
            String base = "http://127.0.0.1:" + driverPort;
            String session = newSession(base);
            List<String> expectedKeys = List.of("key 61 down", "key 61 up", "key ff0d down", "key ff0d up",
                    "key ffe1 down", "key 42 down", "key 42 up", "key ffe1 up");
            try {
                post(base + "/session/" + session + "/url", "{\"url\":\"" + origin + "/vnc_lite.html?host=127.0.0.1&port="
                        + on.sink.websocketPort() + "&path=\"}");
                awaitCanvas(base, session, picture, w, h);
                clickAndType(base, session);
                List<String> got = target.await(e -> e.stream().filter(x -> x.startsWith("key")).count()
                        >= expectedKeys.size(), Duration.ofSeconds(120));
                System.err.println("input target got: " + got);
                assertThat(got.stream().filter(x -> x.startsWith("key")).toList()).isEqualTo(expectedKeys);
                // the click: pressed and released at the pixel WebDriver clicked (100, 100), before the first key
                int firstKey = got.indexOf("key 61 down");
                List<String> pointer = got.subList(0, firstKey);
                assertThat(pointer).allMatch(x -> x.startsWith("pointer "));
                List<String> pressed = pointer.stream().filter(x -> x.endsWith(" 1")).toList();
                assertThat(pressed).isNotEmpty();
                int[] at = Arrays.stream(pressed.get(0).split("[ ,]")).skip(1).limit(2).mapToInt(Integer::parseInt)
                        .toArray();
                assertThat(at[0]).as("x of the click").isBetween(99, 101);
                assertThat(at[1]).as("y of the click").isBetween(99, 101);
                assertThat(pointer.get(pointer.size() - 1)).as("released before the keys").endsWith(" 0");

                // the same with the view-only sink: read, counted as dropped, nothing reaches its target
                post(base + "/session/" + session + "/url", "{\"url\":\"" + origin + "/vnc_lite.html?host=127.0.0.1&port="
                        + off.sink.websocketPort() + "&path=\"}");
                awaitCanvas(base, session, picture, w, h);
                clickAndType(base, session);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                long dropped = 0;
                while (System.nanoTime() < end && dropped < expectedKeys.size() + 2) {
                    dropped = off.sink.viewers().stream().mapToLong(v -> v.inputDropped.get()).sum();
                    Thread.sleep(100);
                }
                assertThat(dropped).as("events the view-only sink read and dropped").isGreaterThanOrEqualTo(
                        expectedKeys.size() + 2);
            } finally {
                delete(base + "/session/" + session);
            }
            on.awaitLog("input events forwarded");
        } finally {
            stop(pages, driver);
        }
        assertThat(ignored.events()).isEmpty();
    }

    /** Clicks the canvas at its pixel (100, 100), then types a, Return and Shift+B through WebDriver's actions. */
    private void clickAndType(String base, String session) throws Exception {
        String found = post(base + "/session/" + session + "/element", "{\"using\":\"css selector\",\"value\":"
                + "\"#screen canvas\"}");
        Matcher m = Pattern.compile("\"(element-6066-11e4-a52e-4f735466cecf)\"\\s*:\\s*\"([^\"]+)\"").matcher(found);
        if (!m.find()) {
            fail("no canvas element: " + found);
        }
        String element = "{\"" + m.group(1) + "\":\"" + m.group(2) + "\"}";
        // a pointer offset from an element is from its centre (W3C WebDriver): (240, 160) on a 480 x 320 canvas
        String click = post(base + "/session/" + session + "/actions", "{\"actions\":[{\"type\":\"pointer\",\"id\":"
                + "\"mouse\",\"parameters\":{\"pointerType\":\"mouse\"},\"actions\":[{\"type\":\"pointerMove\","
                + "\"duration\":0,\"origin\":" + element + ",\"x\":-140,\"y\":-60},{\"type\":\"pointerDown\","
                + "\"button\":0},{\"type\":\"pointerUp\",\"button\":0}]}]}");
        assertThat(click).as("WebDriver's click").doesNotContain("\"error\"");
        String keys = post(base + "/session/" + session + "/actions", "{\"actions\":[{\"type\":\"key\",\"id\":"
                + "\"keyboard\",\"actions\":[" + key("Down", "a") + "," + key("Up", "a") + "," + key("Down", "\\uE006")
                + "," + key("Up", "\\uE006") + "," + key("Down", "\\uE008") + "," + key("Down", "B") + ","
                + key("Up", "B") + "," + key("Up", "\\uE008") + "]}]}");
        assertThat(keys).as("WebDriver's keys").doesNotContain("\"error\"");
    }

    private static String key(String upOrDown, String value) {
        return "{\"type\":\"key" + upOrDown + "\",\"value\":\"" + value + "\"}";
    }

    /** noVNC's pages over HTTP on 127.0.0.1, as a web server would serve them; fails naming what is missing. */
    private static HttpServer pages() throws IOException {
        RealClients.require("chromium", "chromium");
        RealClients.require("chromedriver", "chromium-driver");
        assertThat(NOVNC.resolve("vnc_lite.html")).as("noVNC's page: apt-get install novnc").exists();
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        pages.createContext("/", exchange -> {
            Path file = NOVNC.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(NOVNC) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String name = file.getFileName().toString();
            exchange.getResponseHeaders().set("Content-Type", name.endsWith(".js") ? "text/javascript"
                    : name.endsWith(".html") ? "text/html" : name.endsWith(".css") ? "text/css" : "application/octet-stream");
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(body);
            }
        });
        pages.start();
        return pages;
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private Process startDriver(int port) throws IOException {
        return new ProcessBuilder("chromedriver", "--port=" + port).redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromedriver.log").toFile()).start();
    }

    private static void stop(HttpServer pages, Process driver) throws InterruptedException {
        pages.stop(0);
        if (driver != null) {
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly().waitFor();
            }
        }
    }

    private String newSession(String base) throws Exception {
        String binary = Files.isExecutable(Path.of("/usr/lib/chromium/chromium")) ? "/usr/lib/chromium/chromium"
                : "/usr/bin/chromium";
        Path profile = Files.createDirectories(dir.resolve("profile"));
        List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=800,600",
                "--user-data-dir=" + profile);
        StringBuilder a = new StringBuilder();
        for (String arg : args) {
            a.append(a.length() == 0 ? "" : ",").append('"').append(arg).append('"');
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                String r = post(base + "/session", "{\"capabilities\":{\"alwaysMatch\":{\"goog:chromeOptions\":{\"binary\":\""
                        + binary + "\",\"args\":[" + a + "]}}}}");
                Matcher m = SESSION.matcher(r);
                if (!m.find()) {
                    fail("chromedriver made no session: " + r);
                }
                return m.group(1);
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    fail("chromedriver did not answer in 60 s: " + e + "; its log: " + Files.readString(dir.resolve("chromedriver.log")));
                }
                Thread.sleep(200);
            }
        }
    }

    /** Reads noVNC's canvas until it has the frame's size and is within 30 dB; returns the PSNR. */
    private double awaitCanvas(String base, String session, int[] picture, int w, int h) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "no canvas yet";
        while (System.nanoTime() < end) {
            String r = post(base + "/session/" + session + "/execute/sync", "{\"script\":\"const c = document.querySelector("
                    + "'#screen canvas'); return c && c.width > 0 ? c.toDataURL('image/png') : null;\",\"args\":[]}");
            Matcher m = DATA_URL.matcher(r);
            if (m.find()) {
                byte[] png = Base64.getDecoder().decode(m.group(1));
                Files.write(dir.resolve("canvas.png"), png);
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
                if (img.getWidth() == w && img.getHeight() == h) {
                    double psnr = TestFrames.psnr(picture, img.getRGB(0, 0, w, h, null, 0, w));
                    if (psnr >= 30) {
                        return psnr;
                    }
                    last = String.format("PSNR %.1f dB", psnr);
                } else {
                    last = "canvas " + img.getWidth() + "x" + img.getHeight();
                }
            } else {
                last = r.length() > 300 ? r.substring(0, 300) : r;
            }
            Thread.sleep(500);
        }
        return fail("noVNC's canvas never showed the picture within 30 dB in 120 s; last: " + last + " (see " + dir + ")");
    }

    private static String value(String json) {
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]+)\"").matcher(json);
        return m.find() ? m.group(1) : fail("no value in " + (json.length() > 300 ? json.substring(0, 300) : json));
    }

    private String post(String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void delete(String url) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
