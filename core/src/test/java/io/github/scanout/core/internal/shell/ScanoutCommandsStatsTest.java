package io.github.scanout.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScanoutCommandsStatsTest {

    @Test
    void aSinksClientsAreIndentedLinesUnderIt() {
        Instant t = Instant.parse("2026-12-06T09:00:00Z");
        SinkStats vnc = new SinkStats("vnc-1", 0, 10, 0, 0, 0, 0, 100, 200, 10, 4600, "", "", List.of(
                new SinkClient("v1", "127.0.0.1:40000", t, 4000, 9, 1, Map.of("zrle", 30L, "raw", 1L)),
                new SinkClient("v2", "unix:/run/scanout/vm1.sock#2", t, 600, 2, 0, Map.of("tight_jpeg", 4L))));
        SinkStats file = new SinkStats("file-1", 0, 10, 0, 0, 0, 0, 100, 200);
        PipelineStats p = new PipelineStats("vm1", "sim:mdpy-vga", PipelineState.RUNNING, "", "region", 60, 100, 10, 90,
                0, 0, 20, 0, 0, 100, 200, 5, 9, List.of(vnc, file));
        String[] lines = ScanoutCommands.render(List.of(p)).split("\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[1]).startsWith("  vnc-1: delivered 10");
        assertThat(lines[2]).isEqualTo("    client v1 127.0.0.1:40000 since 2026-12-06T09:00:00Z: 9 updates, 4000 bytes, "
                + "1 frames coalesced, encodings raw 1, zrle 30");
        assertThat(lines[3]).isEqualTo("    client v2 unix:/run/scanout/vm1.sock#2 since 2026-12-06T09:00:00Z: 2 updates, "
                + "600 bytes, 0 frames coalesced, encodings tight_jpeg 4");
        assertThat(lines[4]).startsWith("  file-1: delivered 10");
    }
}
