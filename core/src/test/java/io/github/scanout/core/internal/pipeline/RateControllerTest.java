package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the loop polls next, on a fake clock: a low-latency sink keeps it polling faster than its
 * rate within the CPU budget and never idle; snapshot sinks alone let a still screen idle.
 */
class RateControllerTest {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long BASE = 1_000_000_000L / 60;

    static final class FakeDemand implements RateController.Demand {
        double hz = 60;
        boolean lowLatency;

        @Override
        public double wantedRate(double cap) {
            return Math.min(hz, cap);
        }

        @Override
        public boolean wantsLowLatency() {
            return lowLatency;
        }
    }

    final FakeClock clock = new FakeClock();
    /** Wall time a tick spends waiting for a core on a loaded machine, on top of its CPU time. */
    long waitForACore;
    final FakeDemand sinks = new FakeDemand();
    final RateController rate = new RateController(PipelineOptions.defaults().withMaxRate(60)
            .withIdle(Duration.ofSeconds(1), Duration.ofSeconds(3)), sinks, clock);

    /** Runs one tick that costs {@code cost} ns and returns the interval to the next poll. */
    long tick(long cost, boolean changed) {
        long start = clock.now;
        rate.tickBegins();
        clock.cpu += cost;
        clock.now += cost + waitForACore;
        long next = rate.next(start, changed, true);
        clock.now = next;
        return next - start;
    }

    @Test
    void aStillScreenWithOnlySnapshotSinksBacksOffToTheIdleInterval() {
        long total = 0;
        long interval = 0;
        int polls = 0;
        while (total < TimeUnit.SECONDS.toNanos(30)) {
            interval = tick(100_000, false);
            total += interval;
            polls++;
        }
        assertThat(interval).isEqualTo(TimeUnit.SECONDS.toNanos(3));
        // about 60 polls in the first second, then fewer and fewer: far below 60 Hz over 30 s
        assertThat(polls).isBetween(60, 90);
        // a change brings it back to the sinks' rate at once
        assertThat(tick(100_000, true)).isEqualTo(BASE);
    }

    @Test
    void aLowLatencySinkNeverLetsItIdleAndItPollsFasterWithinTheBudget() {
        sinks.lowLatency = true;
        long interval = 0;
        for (int i = 0; i < 5000; i++) {
            interval = tick(100_000, false);
        }
        // a cheap tick: as fast as allowed, four times the sink's rate
        assertThat(interval).isEqualTo(BASE / RateController.MAX_OVERSAMPLE);
        // a tick of 1 ms may take BUDGET_PERCENT of a core: 12.5 ms apart
        for (int i = 0; i < 200; i++) {
            interval = tick(MS, false);
        }
        // (the cost is smoothed: it converges on 1 ms)
        assertThat(interval).isCloseTo(MS * 100 / RateController.BUDGET_PERCENT, org.assertj.core.data.Percentage.withPercentage(1));
        // a tick dearer than the budget at the sink's rate: never slower than the sink's rate
        for (int i = 0; i < 200; i++) {
            interval = tick(3 * MS, false);
        }
        assertThat(interval).isEqualTo(BASE);
        // a cheap tick that waits for a core on a loaded machine is still cheap: the budget counts CPU time
        waitForACore = 5 * MS;
        for (int i = 0; i < 200; i++) {
            interval = tick(100_000, false);
        }
        assertThat(interval).isEqualTo(BASE / RateController.MAX_OVERSAMPLE);
        waitForACore = 0;
        // the low-latency sink goes: a still screen idles again
        sinks.lowLatency = false;
        for (int i = 0; i < 1000; i++) {
            interval = tick(100_000, false);
        }
        assertThat(interval).isEqualTo(TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void framesGoOutAtTheSinksRateOnAverageWithAShortBurst() {
        sinks.lowLatency = true;
        int published = 0;
        // a change on every poll, polls at four times the rate, for one second
        for (int i = 0; i < 240; i++) {
            if (rate.mayPublish(clock.now)) {
                published++;
            }
            tick(100_000, true);
        }
        assertThat(published).isBetween(60, 60 + RateController.BURST + 1);
        // after a pause, no more than the burst back to back
        clock.now += TimeUnit.SECONDS.toNanos(1);
        int burst = 0;
        while (rate.mayPublish(clock.now)) {
            burst++;
        }
        assertThat(burst).isEqualTo(RateController.BURST);
        assertThat(rate.creditDue(clock.now)).isEqualTo(clock.now + BASE);
    }
}
