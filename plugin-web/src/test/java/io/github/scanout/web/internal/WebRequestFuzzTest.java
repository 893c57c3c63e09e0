package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the console's request reader ({@link WebServer#route}), the code that reads what a
 * browser or any local client sends: the method, the {@code Host} header and the raw path.
 *
 * <p>Contract: a route; a refusal has a 4xx status and a one-line message of at most a few
 * hundred characters; only GET or HEAD with a loopback Host reaches a page or API route, only
 * POST with a loopback Host reaches {@code /attach} or {@code /detach}; a
 * snapshot names the device as decoded from one path segment. Nothing else escapes.
 */
class WebRequestFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void route(FuzzedDataProvider data) {
        String method = data.consumeBoolean() ? (data.consumeBoolean() ? "GET" : "POST") : data.consumeString(8);
        String host = data.consumeBoolean() ? "127.0.0.1:8080" : data.consumeString(64);
        String path = data.consumeRemainingAsString();
        WebServer.Route r = WebServer.route(method, host, path);
        assertThat(r).isNotNull();
        // a console off loopback (TLS and logins) takes any Host, and routes the rest alike
        WebServer.Route anyHost = WebServer.route(method, host, path, false);
        if (r.kind() != WebServer.Route.Kind.REFUSED) {
            assertThat(anyHost).isEqualTo(r);
        } else if (anyHost.kind() == WebServer.Route.Kind.REFUSED) {
            assertThat(anyHost.status()).isBetween(400, 499);
            assertThat(anyHost.message()).isNotBlank().doesNotContain("\n").doesNotContain("\r")
                    .doesNotStartWith("refused: Host");
        }
        if (r.kind() == WebServer.Route.Kind.REFUSED) {
            assertThat(r.status()).isBetween(400, 499);
            assertThat(r.message()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
            assertThat(r.message().length()).isLessThan(800);
            return;
        }
        assertThat(r.status()).isEqualTo(200);
        if (r.kind() == WebServer.Route.Kind.ATTACH || r.kind() == WebServer.Route.Kind.DETACH) {
            assertThat(method).isEqualTo("POST");
            assertThat(path).isIn("/attach", "/detach");
            assertThat(r.device()).isEmpty();
            return;
        }
        assertThat(method).isIn("GET", "HEAD");
        if (r.kind() == WebServer.Route.Kind.SNAPSHOT) {
            assertThat(path).startsWith("/api/devices/").endsWith("/snapshot.png");
            assertThat(r.device()).isNotNull();
            // the device name from the URL goes into a header only as safe characters
            assertThat(WebServer.attachment(r.device(), java.time.Instant.EPOCH))
                    .matches("attachment; filename=\"[A-Za-z0-9._-]{1,106}-19700101-000000\\.png\"");
        } else {
            assertThat(r.device()).isEmpty();
        }
    }
}
