package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TransientRetryTest {
    final RecordingReporter reporter = new RecordingReporter();
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
        assertThat(reporter.lines()).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("INFO primary plane of x: ")
                .contains("ENOMEM"));
    }

    @Test
    void zeroMaximumRetriesOnEveryPoll() {
        TransientRetry eager = new TransientRetry("p", reporter, clock::get, 0);
        for (int i = 0; i < 5; i++) {
            eager.failed(enomem);
            assertThat(eager.mayTry()).isTrue();
        }
        assertThat(reporter.lines()).hasSize(2);
    }
}
