package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    static final long MS = 1_000_000L;

    @Test
    void doublesFromTheFirstWaitUpToTheMaximum() {
        Backoff b = Backoff.doubling(Duration.ofMillis(100), Duration.ofSeconds(2));
        assertThat(new long[] {b.delayNanos(1), b.delayNanos(2), b.delayNanos(3), b.delayNanos(5), b.delayNanos(6),
            b.delayNanos(1000)}).containsExactly(100 * MS, 200 * MS, 400 * MS, 1600 * MS, 2000 * MS, 2000 * MS);
        assertThat(b.delayNanos(0)).as("no failure, no wait").isZero();
    }

    @Test
    void freeRetriesComeAtOnce() {
        Backoff b = Backoff.doubling(Duration.ofMillis(10), Duration.ofMillis(1000)).afterFreeRetries(1);
        assertThat(new long[] {b.delayNanos(1), b.delayNanos(2), b.delayNanos(3), b.delayNanos(8), b.delayNanos(9)})
                .containsExactly(0, 10 * MS, 20 * MS, 640 * MS, 1000 * MS);
    }

    @Test
    void neverOverflows() {
        Backoff b = new Backoff(3, Long.MAX_VALUE, 0);
        for (int n = 1; n < 200; n++) {
            assertThat(b.delayNanos(n)).as("failure %d", n).isPositive();
        }
        assertThat(b.delayNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refusesAnInconsistentPolicy() {
        assertThatThrownBy(() -> new Backoff(10, 5, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 <= first <= max");
        assertThatThrownBy(() -> new Backoff(-1, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(1, 5, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
