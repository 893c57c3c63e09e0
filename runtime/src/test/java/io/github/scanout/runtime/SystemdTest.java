package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The systemd notifier's messages, summary and watchdog, with a sender that records. */
class SystemdTest {
    static Pipelines.Stats stats(String name, String state, String reason, long polls) {
        return new Pipelines.Stats(name, "sim:mdpy", state, reason, "region", 0, 0, 0, List.of(), polls);
    }

    @Test
    void theSummarySaysHowManyAreLiveAndWhyTheOthersAreNot() {
        assertThat(Systemd.summary(List.of(stats("desk", "RUNNING", "", 1)), 1)).isEqualTo("1 device live");
        assertThat(Systemd.summary(List.of(stats("a", "RUNNING", "", 1), stats("b", "RUNNING", "", 1),
                stats("desk", "NO_SIGNAL", "the guest has not set a mode", 1)), 3))
                .isEqualTo("2 devices live, 1 waiting: desk no signal: the guest has not set a mode");
        assertThat(Systemd.summary(List.of(stats("lab", "FAILED", "open /dev/vfio/7: EACCES", 0)), 2))
                .isEqualTo("0 devices live, 1 waiting, 1 failed: lab failed: open /dev/vfio/7: EACCES; 1 not started yet");
        assertThat(Systemd.summary(List.of(), 0)).isEqualTo("0 devices live");
        assertThat(Systemd.summary(List.of(stats("x", "ERROR", "e\nrr ".repeat(200), 1)), 1))
                .hasSize(Systemd.STATUS_MAX).endsWith("...").doesNotContain("\n");
    }

    @Test
    void readyWaitsForEveryConfiguredDeviceToLeaveStarting() {
        assertThat(Systemd.settled(List.of(), 1)).isFalse();
        assertThat(Systemd.settled(List.of(stats("a", "STARTING", "", 0)), 1)).isFalse();
        assertThat(Systemd.settled(List.of(stats("a", "FAILED", "no such device", 0)), 1)).isTrue();
        assertThat(Systemd.settled(List.of(stats("a", "RUNNING", "", 0)), 2)).isFalse();
        assertThat(Systemd.settled(List.of(), 0)).isTrue();
    }

    @Test
    void theWatchdogIsAskedForThisProcessOrTheLauncherScript() {
        assertThat(Systemd.watchdogNanos(Map.of(), 10, 9)).isZero();
        assertThat(Systemd.watchdogNanos(Map.of("WATCHDOG_USEC", "30000000"), 10, 9)).isEqualTo(30_000_000_000L);
        assertThat(Systemd.watchdogNanos(Map.of("WATCHDOG_USEC", "500", "WATCHDOG_PID", "10"), 10, 9)).isEqualTo(500_000);
        assertThat(Systemd.watchdogNanos(Map.of("WATCHDOG_USEC", "500", "WATCHDOG_PID", "9"), 10, 9)).isEqualTo(500_000);
        assertThat(Systemd.watchdogNanos(Map.of("WATCHDOG_USEC", "500", "WATCHDOG_PID", "77"), 10, 9)).isZero();
        assertThat(Systemd.watchdogNanos(Map.of("WATCHDOG_USEC", "x"), 10, 9)).isZero();
    }

    @Test
    void aCaptureLoopThatStopsPollingStopsThePings() {
        Systemd.Watchdog w = new Systemd.Watchdog(1000);
        assertThat(w.check(List.of(stats("a", "RUNNING", "", 5)), 0)).isNull();
        assertThat(w.check(List.of(stats("a", "RUNNING", "", 6)), 900)).isNull();
        assertThat(w.check(List.of(stats("a", "RUNNING", "", 6)), 1800)).isNull();
        assertThat(w.check(List.of(stats("a", "RUNNING", "", 6)), 1901)).startsWith("the capture loop of a has not polled");
        assertThat(w.check(List.of(stats("a", "RUNNING", "", 7)), 2000)).isNull();
        // a failed device polls nothing, a stalled one says so itself: neither stops the pings
        assertThat(w.check(List.of(stats("a", "FAILED", "", 7)), 5000)).isNull();
        assertThat(w.check(List.of(stats("a", "STALLED", "", 7)), 9000)).isNull();
    }

    @Test
    void theThreadSendsReadyThenPingsThenStopping() throws Exception {
        BlockingQueue<String> sent = new LinkedBlockingQueue<>();
        AtomicReference<List<Pipelines.Stats>> now = new AtomicReference<>(List.of(stats("desk", "STARTING", "", 0)));
        AtomicBoolean active = new AtomicBoolean(true);
        List<Long> polls = new ArrayList<>();
        Systemd s = new Systemd(sent::add, 20_000_000L, () -> {
            List<Pipelines.Stats> l = now.get();
            polls.add(1L);
            return l;
        }, () -> 1, active::get, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
        try {
            String first = take(sent);
            assertThat(first).isIn("WATCHDOG=1", "STATUS=0 devices live, 1 waiting: desk starting");
            now.set(List.of(stats("desk", "RUNNING", "", 1)));
            String m;
            do {
                m = take(sent);
            } while (!m.startsWith("READY=1"));
            assertThat(m).isEqualTo("READY=1\nSTATUS=1 device live");
            for (int pings = 0; pings < 2;) {
                pings += take(sent).equals("WATCHDOG=1") ? 1 : 0;
            }
            active.set(false);
            do {
                m = take(sent);
            } while (m.equals("WATCHDOG=1"));
            assertThat(m).isEqualTo("STATUS=not alive, no watchdog ping: the OSGi framework is not running");
        } finally {
            s.close();
        }
        String last;
        do {
            last = take(sent);
        } while (!last.startsWith("STOPPING"));
        assertThat(last).isEqualTo("STOPPING=1\nSTATUS=stopping");
    }

    @Test
    void aSocketThatTakesNothingIsSaidOnce() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Systemd s = new Systemd(m -> {
            throw new IOException("sendto /run/x: ECONNREFUSED");
        }, 0, List::of, () -> 0, () -> true, new PrintStream(err, true, StandardCharsets.UTF_8));
        s.stopping();
        s.stopping();
        s.close();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("scanout: WARNING: cannot notify systemd at NOTIFY_SOCKET: sendto /run/x: ECONNREFUSED"
                        + System.lineSeparator());
    }

    private static String take(BlockingQueue<String> q) throws InterruptedException {
        String m = q.poll(30, TimeUnit.SECONDS);
        assertThat(m).as("a notification within 30 s").isNotNull();
        return m;
    }
}
