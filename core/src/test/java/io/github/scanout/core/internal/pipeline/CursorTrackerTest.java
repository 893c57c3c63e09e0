package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.support.ConditionLog;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cursor tracker on its own: a scripted cursor plane, one answer per poll. */
class CursorTrackerTest {

    final List<String> lines = new ArrayList<>();
    final ConditionLog log = ConditionLog.summarizing((level, message) -> lines.add(level + " " + message),
            Clock.SYSTEM::nanoTime, TimeUnit.SECONDS.toNanos(10));
    final CursorTracker tracker = new CursorTracker(new ChangeDetector(), log, "dev");
    final long leasesAtStart = Leases.live();
    /** The next answers: a buffer, {@link #NO_CURSOR}, or an exception to throw. */
    final ArrayDeque<Object> answers = new ArrayDeque<>();
    final ByteBuffer image = ByteBuffer.allocate(64 * 64 * 4);

    final CursorTracker.Acquire source = (plane, consistent, held) -> {
        assertThat(plane).isEqualTo(PlaneType.CURSOR);
        Object a = answers.poll();
        if (a instanceof DeviceException e) {
            throw e;
        }
        return a == NO_CURSOR ? Optional.empty() : Optional.of((PlaneBuffer) a);
    };

    @AfterEach
    void everyLeaseIsGivenBack() {
        tracker.clear();
        assertThat(Leases.live()).as("leases after clear()").isEqualTo(leasesAtStart);
    }

    PlaneBuffer cursorAt(int x, int y, Optional<Hotspot> hotspot) {
        return plane(PlaneType.CURSOR, x, y, hotspot);
    }

    PlaneBuffer plane(PlaneType type, int x, int y, Optional<Hotspot> hotspot) {
        PlaneInfo info = new PlaneInfo(type, BufferType.REGION, DrmFormat.ARGB8888, Modifier.LINEAR, 64, 64, 256,
                64 * 256, x, y, hotspot, 7);
        return PlaneBuffer.snapshot(info, image.duplicate(), null);
    }

    boolean poll(Object answer) throws DeviceException {
        answers.add(answer);
        return tracker.poll(source, true);
    }

    /** An empty answer: no cursor. */
    static final Object NO_CURSOR = new Object();

    boolean pollNothing() throws DeviceException {
        return poll(NO_CURSOR);
    }

    @Test
    void anImageAppearsMovesChangesAndHidesAndEachIsReportedOnce() throws Exception {
        assertThat(tracker.current().visible()).isFalse();
        assertThat(poll(cursorAt(10, 20, Optional.of(new Hotspot(1, 2))))).as("appears").isTrue();
        CursorSnapshot first = tracker.current();
        assertThat(first.visible()).isTrue();
        assertThat(first.x).isEqualTo(10);
        assertThat(first.y).isEqualTo(20);

        assertThat(poll(cursorAt(10, 20, Optional.of(new Hotspot(1, 2))))).as("the same, same place").isFalse();
        assertThat(tracker.current()).isSameAs(first);

        assertThat(poll(cursorAt(30, 40, Optional.of(new Hotspot(1, 2))))).as("moves").isTrue();
        CursorSnapshot moved = tracker.current();
        assertThat(moved.x).isEqualTo(30);
        assertThat(moved.generation).as("a move is not a new image").isEqualTo(first.generation);
        assertThat(moved.image).as("the image is shared, not copied").isSameAs(first.image);

        image.put(100, (byte) 0x55);
        assertThat(poll(cursorAt(30, 40, Optional.of(new Hotspot(1, 2))))).as("new image").isTrue();
        assertThat(tracker.current().generation).isGreaterThan(first.generation);

        assertThat(pollNothing()).as("hidden").isTrue();
        assertThat(tracker.current().visible()).isFalse();
        assertThat(pollNothing()).as("still hidden").isFalse();

        assertThat(poll(cursorAt(30, 40, Optional.of(new Hotspot(1, 2))))).as("shown again, same image").isTrue();
        assertThat(tracker.current().visible()).isTrue();
        assertThat(lines).isEmpty();
    }

    @Test
    void threeFailedQueriesInARowStopThePollingAndSaySoTransientOnesDoNotCount() throws Exception {
        assertThat(poll(cursorAt(1, 1, Optional.empty()))).isTrue();
        assertThat(poll(new DeviceException("busy", Errno.EBUSY.number()))).as("transient: no change").isFalse();
        assertThat(tracker.current().visible()).isTrue();
        assertThat(poll(new DeviceException("bad answer", Errno.EINVAL.number()))).as("hides the cursor").isTrue();
        assertThat(poll(new DeviceException("bad answer", Errno.EINVAL.number()))).isFalse();
        assertThat(tracker.polling()).isTrue();
        assertThat(poll(new DeviceException("bad answer", Errno.EINVAL.number()))).isFalse();
        assertThat(tracker.polling()).as("after three in a row").isFalse();
        assertThat(lines).singleElement().asString().startsWith("INFO dev: stopped polling the cursor plane after 3"
                + " failed queries in a row: bad answer");
        answers.add(cursorAt(5, 5, Optional.empty()));
        assertThat(tracker.poll(source, true)).as("not polled any more").isFalse();
        assertThat(answers).as("the source was not asked").hasSize(1);
        ((PlaneBuffer) answers.poll()).close();

        tracker.restart();
        assertThat(poll(cursorAt(5, 5, Optional.empty()))).as("polled again after a restart").isTrue();
    }

    @Test
    void aDeviceThatAnswersCursorQueriesWithAnotherPlaneIsNotAskedAgain() throws Exception {
        assertThat(poll(plane(PlaneType.PRIMARY, 0, 0, Optional.empty()))).isFalse();
        assertThat(tracker.polling()).isFalse();
        assertThat(lines).singleElement().asString().contains("answers cursor queries with a PRIMARY plane");
    }

    @Test
    void aGoneDeviceIsThrownToTheLoop() throws Exception {
        assertThat(poll(cursorAt(1, 1, Optional.empty()))).isTrue();
        assertThatThrownBy(() -> poll(new DeviceException("gone", Errno.ENODEV.number())))
                .isInstanceOf(DeviceException.class).hasMessageContaining("gone");
    }
}
