package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lease the capture loop keeps from one poll to the next. */
class HeldLeaseTest {

    final AtomicInteger released = new AtomicInteger();
    final HeldLease lease = new HeldLease();

    PlaneBuffer buffer(MemoryKind kind, long id) {
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888, Modifier.LINEAR, 16,
                16, 64, 1024, 0, 0, Optional.empty(), id);
        ByteBuffer px = kind.cpuReadable() ? ByteBuffer.allocate(1024) : null;
        return PlaneBuffer.create(info, kind, px, null, released::incrementAndGet);
    }

    @Test
    void aBufferTheCpuCannotReadIsKeptAcrossPollsUntilAnotherComes() {
        PlaneBuffer first = buffer(MemoryKind.DMABUF_FD, 1);
        assertThat(lease.held()).isNull();
        assertThat(lease.got(first)).isSameAs(first);
        PlaneBuffer mine = lease.take();
        assertThat(mine).as("another lease: the kept one stays the loop's").isNotSameAs(first);
        assertThat(mine.identity()).isSameAs(first.identity());
        mine.close();
        lease.endPoll();
        assertThat(lease.held()).as("kept past the poll").isSameAs(first);
        assertThat(first.isOpen()).isTrue();

        // the session answers with the kept lease: nothing is closed
        assertThat(lease.got(first)).isSameAs(first);
        lease.endPoll();
        assertThat(first.isOpen()).isTrue();
        assertThat(released).hasValue(0);

        // another buffer: the kept lease is closed, the new one kept
        PlaneBuffer second = buffer(MemoryKind.DMABUF_FD, 2);
        lease.got(second);
        assertThat(first.isOpen()).isFalse();
        assertThat(released).hasValue(1);
        lease.endPoll();
        assertThat(lease.held()).isSameAs(second);
        lease.release();
        assertThat(lease.held()).isNull();
        assertThat(released).hasValue(2);
        lease.release(); // nothing kept: nothing to do
        assertThat(released).hasValue(2);
    }

    @Test
    void aReadableBufferIsGivenBackAtTheEndOfItsPollOrHandedOverWhole() {
        PlaneBuffer live = buffer(MemoryKind.LIVE_MAPPING, 1);
        lease.got(live);
        lease.endPoll();
        assertThat(live.isOpen()).as("not kept: it may hold CPU access or a pooled copy").isFalse();
        assertThat(lease.held()).isNull();

        PlaneBuffer published = buffer(MemoryKind.SNAPSHOT, 2);
        lease.got(published);
        assertThat(lease.take()).as("handed over: no new lease").isSameAs(published);
        lease.endPoll();
        assertThat(published.isOpen()).as("the taker's now").isTrue();
        assertThat(lease.held()).isNull();
        assertThatThrownBy(lease::take).isInstanceOf(IllegalStateException.class);
        published.close();
        assertThat(released).hasValue(2);
    }
}
