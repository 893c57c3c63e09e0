package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.support.ConditionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ErrorEpisodeTest {

    final List<String> lines = new ArrayList<>();
    final ConditionLog log = ConditionLog.summarizing((level, message) -> lines.add(level + " " + message),
            Clock.SYSTEM::nanoTime, TimeUnit.SECONDS.toNanos(10));
    final ErrorEpisode episode = new ErrorEpisode(log, "dev");

    @Test
    void sinksAreToldOnceAfterThreeFailuresAndTheRecoveryIsSaid() {
        DeviceException eio = new DeviceException("EIO");
        assertThat(episode.failed(eio, "EIO")).isFalse();
        assertThat(episode.failed(eio, "EIO")).isFalse();
        assertThat(episode.failed(eio, "EIO")).as("third in a row").isTrue();
        assertThat(episode.failed(eio, "EIO")).as("once per episode").isFalse();
        assertThat(episode.consecutive()).isEqualTo(4);
        assertThat(lines).containsExactly("WARNING dev: EIO (retrying with back-off)");
        assertThat(episode.recovered()).as("it had been announced").isTrue();
        assertThat(lines).contains("INFO dev: the device answers again after 4 failed polls");
        assertThat(episode.consecutive()).isZero();
        assertThat(episode.recovered()).as("nothing to recover from").isFalse();
    }

    @Test
    void aShortEpisodeEndsQuietly() {
        episode.failed(new DeviceException("EIO"), "EIO");
        assertThat(episode.recovered()).isFalse();
        assertThat(lines).containsExactly("WARNING dev: EIO (retrying with back-off)");
    }
}
