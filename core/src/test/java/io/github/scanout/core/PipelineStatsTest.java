package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelineStatsTest {

    @Test
    void aRefusedPipelineIsFailedWithItsReasonNoSourceAndZeroCounters() {
        PipelineStats s = PipelineStats.refused("vm1", "sim:mdpy", "rate = 'fast' is refused");
        assertThat(s.name()).isEqualTo("vm1");
        assertThat(s.spec()).isEqualTo("sim:mdpy");
        assertThat(s.state()).isEqualTo(PipelineState.FAILED);
        assertThat(s.reason()).isEqualTo("rate = 'fast' is refused");
        assertThat(s.source()).isEmpty();
        assertThat(s.rateHz()).isZero();
        assertThat(new long[] {s.polls(), s.captured(), s.unchanged(), s.cursorUpdates(), s.deviceErrors(),
            s.delivered(), s.dropped(), s.sinkErrors(), s.latencyP50Micros(), s.latencyP99Micros(),
            s.changeCheckP50Micros(), s.changeCheckP99Micros()}).containsOnly(0L);
        assertThat(s.sinks()).isEmpty();
        assertThat(s.toString()).startsWith("vm1 (sim:mdpy): FAILED (rate = 'fast' is refused), source -");
    }
}
