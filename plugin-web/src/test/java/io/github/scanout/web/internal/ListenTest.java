package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The console's listen value and its configuration, through api.support's toolkit. */
class ListenTest {

    @Test
    void theComponentRefusesANonLoopbackConfigurationNamingIt() {
        Function<String, Map<String, Object>> model = verb -> Map.of("error", "none");
        assertThatThrownBy(() -> new WebComponent(model, r -> Map.of("status", 1), Map.of("service.pid", "io.github.scanout.web",
                "listen", "0.0.0.0:0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.github.scanout.web")
                .hasMessageEndingWith(": listen = 0.0.0.0:0 is not a loopback address: this version serves the web console"
                        + " on loopback only (no TLS, no authentication); browse on this host, through an SSH tunnel, or"
                        + " through a reverse proxy with TLS and authentication")
                .hasMessageNotContaining("\n");
    }

    @Test
    void theComponentServesOnAFreeLoopbackPortAndOnItsDefaultWithoutListen() {
        WebComponent c = new WebComponent(verb -> Map.of("error", "none"), r -> Map.of("status", 1), Map.of("listen", "127.0.0.1:0"));
        try {
            assertThat(c.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.address().getPort()).isPositive();
        } finally {
            c.deactivate();
        }
        assertThatThrownBy(() -> new WebComponent(verb -> Map.of("error", "none"), r -> Map.of("status", 1), Map.of("listen", "[::1]:99999")))
                .hasMessageContaining(": listen = [::1]:99999: expected a port from 0 to 65535");
    }
}
