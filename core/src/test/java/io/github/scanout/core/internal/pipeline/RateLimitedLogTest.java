package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    long now;
    final List<String> lines = new ArrayList<>();
    final Clock clock = new Clock() {
        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long currentTimeMillis() {
            return now / 1_000_000;
        }
    };
    final RateLimitedLog log = new RateLimitedLog((level, message, thrown) -> lines.add(level + " " + message), clock,
            TimeUnit.SECONDS.toNanos(10));

    @Test
    void oneLinePerConditionThenASummaryAtMostEveryInterval() {
        for (int i = 0; i < 100; i++) {
            log.report(System.Logger.Level.WARNING, "eio", "querying: EIO", null);
            now += TimeUnit.MILLISECONDS.toNanos(50);
        }
        // 100 reports over 5 s: the first line only
        assertThat(lines).containsExactly("WARNING querying: EIO");
        now += TimeUnit.SECONDS.toNanos(6);
        log.report(System.Logger.Level.WARNING, "eio", "querying: EIO", null);
        assertThat(lines).containsExactly("WARNING querying: EIO", "WARNING querying: EIO (repeated 100 times in the last 11 s)");
        log.report(System.Logger.Level.WARNING, "other", "something else", null);
        assertThat(lines).hasSize(3).last().isEqualTo("WARNING something else");
    }

    @Test
    void clearingEndsTheConditionWithItsSummarySoItIsReportedAgainLater() {
        log.report(System.Logger.Level.WARNING, "k", "m", null);
        log.report(System.Logger.Level.WARNING, "k", "m", null);
        log.clear("k");
        log.report(System.Logger.Level.WARNING, "k", "m", null);
        assertThat(lines).containsExactly("WARNING m", "WARNING m (repeated 1 time in the last 1 s)", "WARNING m");
        log.report(System.Logger.Level.WARNING, "k", "m", null);
        log.flush();
        assertThat(lines).hasSize(4).last().isEqualTo("WARNING m (repeated 1 time in the last 1 s)");
    }

    @Test
    void rememberedConditionsAreBounded() {
        for (int i = 0; i < RateLimitedLog.MAX_KEYS + 10; i++) {
            log.report(System.Logger.Level.INFO, "k" + i, "m" + i, null);
        }
        assertThat(lines).hasSize(RateLimitedLog.MAX_KEYS + 10);
        log.report(System.Logger.Level.INFO, "k0", "m0", null);
        assertThat(lines).as("the oldest was forgotten, so it is logged again").hasSize(RateLimitedLog.MAX_KEYS + 11);
    }
}
