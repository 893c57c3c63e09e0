package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TransientRetryTest {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Reporter reporter = (level, message) -> lines.add(level + " " + message);
    final AtomicLong clock = new AtomicLong();
    final TransientRetry retry = new TransientRetry("primary plane of x", reporter, clock::get, 1000);
    final DeviceException enomem = new DeviceException("querying", Errno.ENOMEM.number());

    @Test
    void delaysAreZeroThenDoubleFromTenMillisToTheMaximum() {
        assertThat(retry.delayNanos(1)).isZero();
        assertThat(retry.delayNanos(2)).isEqualTo(10_000_000L);
        assertThat(retry.delayNanos(3)).isEqualTo(20_000_000L);
        assertThat(retry.delayNanos(8)).isEqualTo(640_000_000L);
        assertThat(retry.delayNanos(9)).isEqualTo(1_000_000_000L);
        assertThat(retry.delayNanos(500)).isEqualTo(1_000_000_000L);
    }

    @Test
    void oneLinePerEpisode() {
        for (int episode = 0; episode < 3; episode++) {
            assertThat(retry.mayTry()).isTrue();
            retry.failed(enomem);
            assertThat(retry.mayTry()).as("the next poll may retry").isTrue();
            retry.failed(enomem);
            assertThat(retry.mayTry()).isFalse();
            clock.addAndGet(10_000_000L);
            assertThat(retry.mayTry()).isTrue();
            retry.succeeded();
        }
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("INFO primary plane of x: ")
                .contains("ENOMEM"));
    }

    @Test
    void zeroMaximumRetriesOnEveryPoll() {
        TransientRetry eager = new TransientRetry("p", reporter, clock::get, 0);
        for (int i = 0; i < 5; i++) {
            eager.failed(enomem);
            assertThat(eager.mayTry()).isTrue();
        }
        assertThat(lines).hasSize(2);
    }

    @Test
    void anEscalatedEpisodeIsReportedAtWarningAndItsEndAtInfo() {
        TransientRetry r = new TransientRetry("p", reporter, clock::get, 20);
        for (int i = 0; i < 3; i++) {
            r.failed(enomem);
            clock.addAndGet(r.delayNanos(r.failures()));
        }
        assertThat(r.backingOff()).isTrue();
        r.succeeded();
        assertThat(r.backingOff()).isFalse();
        assertThat(r.failures()).isZero();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("INFO p: ");
        assertThat(lines.get(1)).startsWith("WARNING p: still failing after 3 attempts in 10 ms")
                .endsWith("(retrying every 20 ms)");
        assertThat(lines.get(2)).isEqualTo("INFO p: recovered after 3 failed attempts");
    }

    @Test
    void forgetEndsAnEpisodeSilently() {
        TransientRetry r = new TransientRetry("p", reporter, clock::get, 20);
        for (int i = 0; i < 4; i++) {
            r.failed(enomem);
        }
        r.forget();
        assertThat(r.mayTry()).isTrue();
        r.succeeded();
        assertThat(lines).hasSize(2).noneMatch(l -> l.contains("recovered"));
    }
}
