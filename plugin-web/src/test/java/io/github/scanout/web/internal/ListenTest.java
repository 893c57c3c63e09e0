package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The console's listen value and its configuration, through api.support's toolkit. */
class ListenTest {

    @Test
    void loopbackOnlyByDefault() {
        assertThat(Listen.parse(null).toString()).isEqualTo("/127.0.0.1:8080");
        assertThat(Listen.parse("").getPort()).isEqualTo(8080);
        assertThat(Listen.parse("9000").getAddress().isLoopbackAddress()).isTrue();
        assertThat(Listen.parse("[::1]:9000").getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void anythingButLoopbackIsRefusedInOneLine() {
        assertThatThrownBy(() -> Listen.parse("0.0.0.0:8080")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listen = 0.0.0.0:8080 is not a loopback address: this version serves the web console on"
                        + " loopback only (no TLS, no authentication); browse on this host, through an SSH tunnel, or"
                        + " through a reverse proxy with TLS and authentication");
        assertThatThrownBy(() -> Listen.parse("127.0.0.1:99999")).hasMessageStartingWith("listen = 127.0.0.1:99999: expected");
    }

    @Test
    void theComponentRefusesANonLoopbackConfigurationNamingIt() {
        Function<String, Map<String, Object>> model = verb -> Map.of("error", "none");
        assertThatThrownBy(() -> new WebComponent(model, Map.of("service.pid", "io.github.scanout.web",
                "listen", "0.0.0.0:0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.github.scanout.web: listen = 0.0.0.0:0 is not a loopback address")
                .hasMessageNotContaining("\n");
    }

    @Test
    void theComponentServesOnAFreeLoopbackPort() {
        WebComponent c = new WebComponent(verb -> Map.of("error", "none"), Map.of("listen", "127.0.0.1:0"));
        try {
            assertThat(c.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.address().getPort()).isPositive();
        } finally {
            c.deactivate();
        }
    }
}
