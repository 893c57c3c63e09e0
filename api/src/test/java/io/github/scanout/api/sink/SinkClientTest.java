package io.github.scanout.api.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkClientTest {
    private static final Instant T = Instant.parse("2026-12-06T09:00:00Z");

    @Test
    void rendersOneLineWithEncodingsInNameOrder() {
        Map<String, Long> enc = new HashMap<>();
        enc.put("zrle", 480L);
        enc.put("raw", 1L);
        SinkClient c = new SinkClient("v3", "127.0.0.1:40432", T, 53210, 120, 4, enc);
        assertThat(c.toString()).isEqualTo("v3 127.0.0.1:40432 since 2026-12-06T09:00:00Z: 120 updates, 53210 bytes, "
                + "4 frames coalesced, encodings raw 1, zrle 480");
        assertThat(c.encodings().keySet()).containsExactly("raw", "zrle");
        enc.put("tight_jpeg", 9L);
        assertThat(c.encodings()).doesNotContainKey("tight_jpeg");
    }

    @Test
    void peerBecomesOnePrintableBoundedLine() {
        SinkClient c = new SinkClient("v1", "evil\nline\u001b[31m" + "x".repeat(500), T, 0, 0, 0, Map.of());
        assertThat(c.peer()).doesNotContain("\n", "\u001b").startsWith("evil?line?[31m").hasSize(SinkClient.MAX_PEER);
    }

    @Test
    void refusesIdsAndEncodingNamesOutsideTheirAlphabetAndNegativeCounts() {
        assertThatThrownBy(() -> new SinkClient("v 1", "p", T, 0, 0, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id");
        assertThatThrownBy(() -> new SinkClient("", "p", T, 0, 0, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SinkClient("v1", "p", T, 0, 0, 0, Map.of("Raw\"}", 1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoding name");
        assertThatThrownBy(() -> new SinkClient("v1", "p", T, -1, 0, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new SinkClient("v1", "p", T, 0, 0, 0, Map.of("raw", -2L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raw");
    }

    @Test
    void outputWithoutClientsListsNoneAndCopiesTheList() {
        assertThat(new SinkOutput(1, 2, "").clients()).isEmpty();
        List<SinkClient> list = new java.util.ArrayList<>(List.of(new SinkClient("v1", "p", T, 1, 1, 0, Map.of())));
        SinkOutput o = new SinkOutput(1, 2, "", list);
        list.clear();
        assertThat(o.clients()).extracting(SinkClient::id).containsExactly("v1");
    }
}
