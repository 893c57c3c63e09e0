package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.testing.FakeClock;
import org.junit.jupiter.api.Test;

/** What a watcher sees of the capture thread's calls, on a fake clock. */
class StallWatchTest {

    final FakeClock clock = new FakeClock();
    final StallWatch watch = new StallWatch(clock);

    {
        clock.now |= 1; // a running call is marked by the lowest bit of its start (0 means none): odd times stay exact
    }

    @Test
    void aPollIsNamedByItsPlaneAndTimedFromTheCallersReading() {
        watch.pollNames(new String[] {"acquiring the primary plane (region)", "acquiring the cursor plane (region)"});
        long entered = clock.now;
        watch.enterPoll(1, entered);
        clock.now += 7_000;

        assertThat(watch.call()).isEqualTo("acquiring the cursor plane (region)");
        assertThat(watch.runningNanos()).isEqualTo(7_000);
        assertThat(watch.exitPoll()).as("nobody found it overdue: its end is not timed").isZero();
        assertThat(watch.runningNanos()).as("nothing running").isZero();

        watch.enterPoll(0, clock.now);
        assertThat(watch.call()).isEqualTo("acquiring the primary plane (region)");
    }

    @Test
    void aPollAWatcherFoundOverdueIsTimedAtItsEnd() {
        long entered = clock.now;
        watch.enterPoll(0, entered);
        clock.now += 3_000;
        assertThat(watch.overdue(5_000)).as("within the limit").isFalse();
        clock.now += 4_000;
        assertThat(watch.overdue(5_000)).isTrue();
        clock.now += 1_000;

        assertThat(watch.exitPoll()).isEqualTo(8_000);
        watch.enterPoll(0, clock.now);
        assertThat(watch.exitPoll()).as("the notice is used once").isZero();
    }

    @Test
    void anotherCallAfterAPollIsNamedByItsOwnText() {
        watch.pollNames(new String[] {"acquiring the primary plane (dmabuf)"});
        watch.enterPoll(0, clock.now);
        watch.exitPoll();

        watch.enter("closing the dmabuf session");
        clock.now += 5_000;

        assertThat(watch.call()).isEqualTo("closing the dmabuf session");
        assertThat(watch.exit()).isEqualTo(5_000);
    }

    @Test
    void namesGivenLaterDoNotChangeWhatTheCallerGave() {
        String[] names = {"acquiring the primary plane (dmabuf)"};
        watch.pollNames(names);
        names[0] = "changed by the caller";
        watch.enterPoll(0, clock.now);

        assertThat(watch.call()).isEqualTo("acquiring the primary plane (dmabuf)");
    }
}
