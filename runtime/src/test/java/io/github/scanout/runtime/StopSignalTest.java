package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A signal delivered twice (systemd signals the whole process group, the launcher script passes
 * it on to Java as well) is one request; a later repeat, or the other signal, halts.
 */
class StopSignalTest {
    static final long S = 1_000_000_000L;

    @Test
    void theSameSignalTwiceAtOnceIsOneRequest() {
        StopSignal s = new StopSignal();
        assertThat(s.onSignal("SIGTERM", 100 * S)).isFalse();
        assertThat(s.requested()).isTrue();
        assertThat(s.reason()).isEqualTo("SIGTERM");
        assertThat(s.onSignal("SIGTERM", 100 * S + 3_000_000)).isFalse();
        assertThat(s.onSignal("SIGTERM", 101 * S)).isFalse();
    }

    @Test
    void theSameSignalLaterHalts() {
        StopSignal s = new StopSignal();
        assertThat(s.onSignal("SIGINT", 0)).isFalse();
        assertThat(s.onSignal("SIGINT", 2 * S + 1)).isTrue();
    }

    @Test
    void theOtherSignalHaltsAtOnce() {
        StopSignal s = new StopSignal();
        assertThat(s.onSignal("SIGTERM", 0)).isFalse();
        assertThat(s.onSignal("SIGINT", 1)).isTrue();
    }

    @Test
    void aSignalDuringAStopFromInsideAsksForTheSame() {
        StopSignal s = new StopSignal();
        s.request("duration reached");
        assertThat(s.onSignal("SIGTERM", 0)).isFalse();
        assertThat(s.reason()).isEqualTo("duration reached");
        assertThat(s.onSignal("SIGTERM", 10)).isFalse();
        assertThat(s.onSignal("SIGTERM", 3 * S)).isTrue();
    }
}
