package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sink's clients (a VNC sink's viewers) as the launcher reads them from core's stats and writes
 * them in {@code scanout ctl stats --json}: an array under the sink.
 */
class StatsClientsTest {

    @Test
    void clientsAreReadFromCoresStatsAndWrittenAsAnArrayUnderTheSink() {
        Instant t = Instant.parse("2026-12-06T09:00:00Z");
        SinkStats vnc = new SinkStats("vnc-1", 0, 10, 0, 0, 0, 0, 100, 200, 10, 4600, "", "", List.of(
                new SinkClient("v1", "127.0.0.1:40000", t, 4000, 9, 1, Map.of("zrle", 30L, "raw", 1L)),
                new SinkClient("v2", "unix:/run/vm1.sock#2", t, 600, 2, 0, Map.of())));
        SinkStats file = new SinkStats("file-1", 0, 10, 0, 0, 0, 0, 100, 200);
        PipelineStats p = new PipelineStats("vm1", "sim:mdpy-vga", PipelineState.RUNNING, "", "region", 60, 100, 10, 90,
                0, 0, 20, 0, 0, 100, 200, 5, 9, List.of(vnc, file));

        Pipelines.Stats s = Pipelines.read(p);
        Pipelines.Sink k = s.sink("vnc-1").orElseThrow();
        assertThat(k.clients()).extracting(Pipelines.Client::id).containsExactly("v1", "v2");
        assertThat(k.clients().get(0).line()).isEqualTo(vnc.clients().get(0).toString());
        assertThat(s.sink("file-1").orElseThrow().clients()).isEmpty();

        assertThat(Json.write(ControlCommands.clients(k))).isEqualTo("[{\"id\":\"v1\",\"peer\":\"127.0.0.1:40000\","
                + "\"since\":\"2026-12-06T09:00:00Z\",\"bytes\":4000,\"updates\":9,\"coalesced\":1,"
                + "\"encodings\":{\"raw\":1,\"zrle\":30}},{\"id\":\"v2\",\"peer\":\"unix:/run/vm1.sock#2\","
                + "\"since\":\"2026-12-06T09:00:00Z\",\"bytes\":600,\"updates\":2,\"coalesced\":0,\"encodings\":{}}]");
        assertThat(Json.write(ControlCommands.clients(s.sink("file-1").orElseThrow()))).isEqualTo("[]");
    }
}
