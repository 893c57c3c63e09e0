package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.Damage;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A published frame is the shared buffer of its primary plane: one reference count for the
 * frame, whose last release closes the primary lease once and gives the cursor's reference back
 * once.
 */
class FrameSnapshotTest {

    private final AtomicInteger primaryReleased = new AtomicInteger();
    private final AtomicInteger cursorReleased = new AtomicInteger();

    private static PlaneBuffer plane(PlaneType type, AtomicInteger released) {
        PlaneInfo info = new PlaneInfo(type, BufferType.REGION, DrmFormat.XRGB8888, Modifier.LINEAR, 16, 16, 64,
                16 * 64, 0, 0, Optional.empty(), 1);
        return PlaneBuffer.snapshot(info, ByteBuffer.allocate(16 * 64), released::incrementAndGet);
    }

    private CursorSnapshot cursor() {
        return new CursorSnapshot(new SharedBuffer(plane(PlaneType.CURSOR, cursorReleased)), 3, 4, Optional.empty(), 1);
    }

    @Test
    void theLastReleaseClosesThePrimaryOnceAndGivesTheCursorBackOnce() {
        CursorSnapshot cursor = cursor();
        FrameSnapshot frame = new FrameSnapshot(1, 10, 20, plane(PlaneType.PRIMARY, primaryReleased), cursor,
                Damage.UNKNOWN);
        cursor.unref(); // the tracker's own reference: the frame's keeps the cursor image alive
        assertThat(cursorReleased).hasValue(0);

        frame.ref(); // a sink's queue entry
        frame.ref(); // another sink's
        frame.release();
        frame.unref();
        assertThat(primaryReleased).as("primary closed while a reference is held").hasValue(0);
        assertThat(cursorReleased).as("cursor given back while the frame is held").hasValue(0);

        frame.release();
        assertThat(primaryReleased).hasValue(1);
        assertThat(cursorReleased).hasValue(1);
    }

    @Test
    void aSinksLeaseOutlivesTheFrameAndAReleasedFrameCannotBeTakenAgain() {
        FrameSnapshot frame = new FrameSnapshot(1, 10, 20, plane(PlaneType.PRIMARY, primaryReleased),
                CursorSnapshot.NONE, Damage.NONE);
        PlaneBuffer lease = frame.lease();
        frame.unref();
        assertThat(primaryReleased).as("a sink still holds a lease").hasValue(0);
        assertThat(lease.pixels().capacity()).isEqualTo(16 * 64);
        lease.close();
        assertThat(primaryReleased).hasValue(1);

        assertThatThrownBy(frame::ref).isInstanceOf(IllegalStateException.class).hasMessageContaining("already released");
        assertThatThrownBy(frame::unref).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released too often");
        assertThat(primaryReleased).hasValue(1);
    }
}
