package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.TlsFiles;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console with TLS and logins, over real HTTPS on loopback: a certificate made by openssl, a
 * users file made by htpasswd -B, the JDK's HTTP client trusting that certificate. Viewers see
 * the page without forms and are refused the POSTs; nothing runs for them.
 */
class WebLoginTest {
    @TempDir
    static Path dir;

    private static Path cert;
    private static Path key;
    private static Path users;

    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final Reporter reporter = (level, message) -> reported.add(level + " " + message);
    private final List<List<String>> acts = new CopyOnWriteArrayList<>();
    private Served server;
    private HttpClient http;

    @BeforeEach
    void files() throws Exception {
        if (cert == null) {
            cert = dir.resolve("cert.pem");
            key = dir.resolve("key.pem");
            Tools.certificate(cert, key);
            users = Tools.htpasswd(dir.resolve("users"), "viv", "view only", "carl", "c0ntrol", "nina", "nothing");
        }
        http = HttpClient.newBuilder().sslContext(Tools.trusting(cert)).connectTimeout(Duration.ofSeconds(60)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Served start(String viewers, String controllers) {
        SSLContext tls = TlsFiles.context(cert, key, "tls.cert", "tls.key", "test");
        Access access = Access.of(Htpasswd.read(users, "htpasswd.file"), viewers, controllers, "htpasswd.file=" + users);
        WebServer.Model model = verb -> switch (verb) {
            case "devices" -> Map.of("model", Map.of("devices", List.of(Map.of("name", "desk", "spec", "sim:mdpy-vga"))),
                    "json", "{\"devices\":[]}");
            case "sinks" -> Map.of("model", Map.of("sinks", List.of(Map.of("name", "ctl-file-1", "device", "desk",
                    "origin", "ctl"))), "json", "{}");
            case "keys" -> Map.of("model", Map.of("types", List.of(Map.of("type", "file"))), "json", "{}");
            case "keys file" -> Map.of("model", Map.of("type", "file", "keys", List.of()), "json", "{}");
            default -> Map.of("error", "unknown " + verb);
        };
        server = Served.start(new WebServer(true, true, access, model, request -> {
            acts.add(List.copyOf(request));
            return Map.of("status", 0, "message", "done");
        }, device -> new byte[] {1}, reporter), tls);
        return server;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(120)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST with this server's token as field and cookie (read from a page's cookie) and its own Origin. */
    private HttpResponse<String> post(String path, String form, String authorization) throws Exception {
        String cookie = get("/", basic("carl", "c0ntrol")).headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String token = cookie.substring(cookie.indexOf('=') + 1);
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(120)).header("Authorization", authorization).header("Cookie", cookie)
                .header("Origin", server.url().substring(0, server.url().length() - 1))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form + "&csrf=" + token)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutRightCredentialsEveryRouteIs401WithAChallengeAndTheSameAnswer() throws Exception {
        start("viv", "carl");
        assertThat(server.url()).startsWith("https://127.0.0.1:");
        Map<String, String> tries = new java.util.LinkedHashMap<>();
        tries.put("none", null);
        tries.put("wrong password", basic("viv", "view-only"));
        tries.put("unknown user", basic("mallory", "view only"));
        tries.put("not basic", "Bearer x");
        tries.put("not base64", "Basic %%%");
        for (String path : List.of("/", "/api/devices", "/api/devices/desk/snapshot.png", "/console.js")) {
            for (Map.Entry<String, String> t : tries.entrySet()) {
                HttpResponse<String> r = get(path, t.getValue());
                assertThat(r.statusCode()).as(path + " " + t.getKey()).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Scanout\","
                        + " charset=\"UTF-8\"");
                assertThat(r.body()).isEqualTo("authentication required: log in as a user of the console's"
                        + " htpasswd.file\n");
                assertThat(r.headers().firstValue("Content-Security-Policy")).isPresent();
            }
        }
        HttpResponse<String> post = post("/attach", "device=desk&type=file", basic("carl", "xyzzy"));
        assertThat(post.statusCode()).isEqualTo(401);
        assertThat(acts).isEmpty();
        // one line per refused login that sent credentials; never a password, never which part was wrong
        assertThat(reported).filteredOn(l -> l.contains("login refused")).hasSize(4 * 4 + 1)
                .allSatisfy(l -> assertThat(l).doesNotContain("view-only").doesNotContain("xyzzy")
                        .endsWith(": unknown user or wrong password").doesNotContain("\n"));
        assertThat(reported).contains("WARNING web: login refused for 'mallory' from 127.0.0.1: unknown user or wrong"
                + " password", "WARNING web: login refused for 'viv' from 127.0.0.1: unknown user or wrong password",
                "WARNING web: login refused for (no Basic credentials) from 127.0.0.1: unknown user or wrong password");
    }

    @Test
    void aViewerSeesThePageWithoutFormsAndHerPostsAre403AndRunNothing() throws Exception {
        start("viv", "carl");
        HttpResponse<String> page = get("/", basic("viv", "view only"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<h2 class=\"name\">desk</h2>", "You may view this console")
                .doesNotContain("<form", "name=\"csrf\"");
        assertThat(get("/api/devices", basic("viv", "view only")).statusCode()).isEqualTo(200);
        assertThat(get("/api/devices/desk/snapshot.png", basic("viv", "view only")).statusCode()).isEqualTo(200);
        HttpResponse<String> attach = post("/attach", "device=desk&type=file&k.path=%2Ftmp", basic("viv", "view only"));
        assertThat(attach.statusCode()).isEqualTo(403);
        assertThat(attach.body()).isEqualTo("refused: user viv may view the console but not control it (not in"
                + " controllers)\n");
        assertThat(post("/detach", "name=ctl-file-1", basic("viv", "view only")).statusCode()).isEqualTo(403);
        assertThat(acts).isEmpty();
        // a user of the file in neither list sees nothing
        HttpResponse<String> nina = get("/", basic("nina", "nothing"));
        assertThat(nina.statusCode()).isEqualTo(403);
        assertThat(nina.body()).isEqualTo("refused: user nina may not view the console (not in viewers)\n");
    }

    @Test
    void aViewerSeesTheStillImageViewAndHerOpenLiveViewIs403AndRunsNothing() throws Exception {
        start("viv", "carl");
        HttpResponse<String> view = get("/view/desk", basic("viv", "view only"));
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("no VNC sink with a WebSocket listener is attached to desk: an operator must"
                + " attach a VNC sink with websocket set for the live view").doesNotContain("action=\"/live\"");
        HttpResponse<String> refused = post("/live", "device=desk", basic("viv", "view only"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("refused: user viv may view the console but not control it (not in"
                + " controllers)\n");
        assertThat(acts).isEmpty();
        // the controller of this console (on loopback) has the form
        assertThat(get("/view/desk", basic("carl", "c0ntrol")).body()).contains("action=\"/live\"");
    }

    @Test
    void aControllerHasTheFormsAndAttachesOverHttps() throws Exception {
        start("*", "carl");
        HttpResponse<String> page = get("/", basic("carl", "c0ntrol"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form class=\"attach\"", "<form class=\"detach\"")
                .doesNotContain("You may view this console");
        assertThat(get("/", basic("nina", "nothing")).statusCode()).as("* : every user views").isEqualTo(200);
        HttpResponse<String> attach = post("/attach", "device=desk&type=file&k.path=%2Ftmp", basic("carl", "c0ntrol"));
        assertThat(attach.statusCode()).as(attach.body()).isEqualTo(303);
        assertThat(acts).containsExactly(List.of("attach", "file", "desk", "path=/tmp"));
        // the Origin a browser sends is https://HOST; http://HOST is another origin
        assertThat(WebServer.checkPost("application/x-www-form-urlencoded", "10", "http://h:1", "h:1", "https"))
                .isNotNull();
        assertThat(WebServer.checkPost("application/x-www-form-urlencoded", "10", "https://h:1", "h:1", "https"))
                .isNull();
    }

    @Test
    void aLoginThatPassedIsRememberedARefusedOneNever() {
        Access access = Access.of(Htpasswd.read(users, "htpasswd.file"), "*", "carl", "htpasswd.file=" + users);
        for (int i = 0; i < 5; i++) {
            assertThat(access.who(basic("carl", "c0ntrol"))).isEqualTo(new Access.Who("carl", true, true));
        }
        assertThat(access.checks()).as("one bcrypt check for five requests").isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(access.who(basic("carl", "c0ntro1"))).isNull();
        }
        assertThat(access.checks()).as("every wrong password is checked").isEqualTo(4);
        assertThat(access.who(basic("viv", "view only"))).isEqualTo(new Access.Who("viv", true, false));
        assertThat(access.checks()).isEqualTo(5);
    }

    @Test
    void aRoleNamingNoUserOfTheFileIsRefused() {
        Htpasswd u = Htpasswd.read(users, "htpasswd.file");
        assertThatThrownBy(() -> Access.of(u, "viv, eve", "", "htpasswd.file=F"))
                .hasMessage("viewers = viv, eve: eve is not a user of htpasswd.file=F");
        assertThatThrownBy(() -> Access.of(u, "*", "bob", "htpasswd.file=F"))
                .hasMessage("controllers = bob: bob is not a user of htpasswd.file=F");
    }
}
