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
 * is the frame within 30 dB PSNR (noVNC asks for Tight with JPEG at quality level 6). A page
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
        int w = 480;
        int h = 320;
        int[] picture = TestFrames.desktop(w, h);
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        Process driver = null;
        try (RealClients.Server s = new RealClients.Server(Map.of("websocket", "0", "websocket.origins", origin))) {
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            int driverPort;
            try (ServerSocket free = new ServerSocket(0)) {
                driverPort = free.getLocalPort();
            }
            driver = new ProcessBuilder("chromedriver", "--port=" + driverPort).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("chromedriver.log").toFile()).start();
            String base = "http://127.0.0.1:" + driverPort;
            String session = newSession(base);
            try {
                String page = origin + "/vnc_lite.html?host=127.0.0.1&port=" + s.sink.websocketPort()
                        + "&path=&view_only=true";
                post(base + "/session/" + session + "/url", "{\"url\":\"" + page + "\"}");
                double psnr = awaitCanvas(base, session, picture, w, h);
                System.err.printf("noVNC canvas: PSNR %.1f dB%n", psnr);
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
            pages.stop(0);
            if (driver != null) {
                driver.destroy();
                if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                    driver.destroyForcibly().waitFor();
                }
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
