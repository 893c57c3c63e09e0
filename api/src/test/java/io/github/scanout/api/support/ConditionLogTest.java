package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The summarizing condition log (the pipeline's); {@link ConditionLog#once} at the end. */
class ConditionLogTest {

    long now;
    final List<String> lines = new ArrayList<>();
    final ConditionLog log = ConditionLog.summarizing((level, message) -> lines.add(level + " " + message), () -> now,
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
        for (int i = 0; i < ConditionLog.MAX_KEYS + 10; i++) {
            log.report(System.Logger.Level.INFO, "k" + i, "m" + i, null);
        }
        assertThat(lines).hasSize(ConditionLog.MAX_KEYS + 10);
        log.report(System.Logger.Level.INFO, "k0", "m0", null);
        assertThat(lines).as("the oldest was forgotten, so it is logged again").hasSize(ConditionLog.MAX_KEYS + 11);
    }

    @Test
    void onceReportsEachConditionOnceWithoutSummariesUntilCleared() {
        List<String> out = new ArrayList<>();
        ConditionLog once = ConditionLog.once(((Reporter) (level, message) -> out.add(level + " " + message)).prefixed("p: "));
        assertThat(once.report(System.Logger.Level.WARNING, "a", "import failed")).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(once.report(System.Logger.Level.WARNING, "a", "import failed")).isFalse();
        }
        once.flush();
        once.report(System.Logger.Level.INFO, "b", "other");
        assertThat(out).containsExactly("WARNING p: import failed", "INFO p: other");
        once.clear("a");
        assertThat(out).as("no summary line").hasSize(2);
        once.report(System.Logger.Level.WARNING, "a", "import failed");
        once.always(System.Logger.Level.INFO, "stopped");
        assertThat(out).containsExactly("WARNING p: import failed", "INFO p: other", "WARNING p: import failed",
                "INFO p: stopped");
    }

    @Test
    void aCauseGoesWithTheFirstLineOnly() {
        List<String> out = new ArrayList<>();
        ConditionLog once = ConditionLog.once((level, message) -> out.add(message));
        once.report(System.Logger.Level.WARNING, "k", "sink failed", new IllegalStateException("boom"));
        once.report(System.Logger.Level.WARNING, "k", "sink failed", new IllegalStateException("boom"));
        assertThat(out).containsExactly("sink failed (java.lang.IllegalStateException: boom)");
    }
}
