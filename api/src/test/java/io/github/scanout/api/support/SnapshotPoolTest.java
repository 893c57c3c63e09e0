package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPoolTest {
    final SnapshotPool pool = new SnapshotPool("primary plane of x", 2);

    @Test
    void buffersHaveExactlyTheSizeAskedForAndAreReused() throws Exception {
        ByteBuffer a = pool.take(100);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(a.position()).isZero();
        assertThat(a.limit()).isEqualTo(100);
        a.position(40);
        pool.give(a);
        for (int i = 0; i < 10; i++) {
            ByteBuffer b = pool.take(100);
            assertThat(b).isSameAs(a);
            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(100);
            pool.give(b);
        }
        assertThat(pool.allocations()).as("no allocation per frame").isEqualTo(1);
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void whenEveryBufferIsLeasedTakeFailsWithATransientEagain() throws Exception {
        ByteBuffer a = pool.take(64);
        ByteBuffer b = pool.take(64);
        assertThat(pool.outstanding()).isEqualTo(2);
        assertThatThrownBy(() -> pool.take(64)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("all 2 snapshot buffers of the primary plane of x are leased")
                .satisfies(e -> assertThat(((DeviceException) e).is(Errno.EAGAIN)).isTrue())
                .satisfies(e -> assertThat(((DeviceException) e).isTransient()).isTrue());
        pool.give(a);
        assertThat(pool.take(64)).isSameAs(a);
        pool.give(a);
        pool.give(b);
        assertThat(pool.allocations()).isEqualTo(2);
    }

    @Test
    void aNewSizeDropsOldBuffersFreeAndLeased() throws Exception {
        ByteBuffer old = pool.take(64);
        ByteBuffer oldFree = pool.take(64);
        pool.give(oldFree);
        ByteBuffer fresh = pool.take(128);
        assertThat(fresh).isNotSameAs(oldFree);
        assertThat(fresh.capacity()).isEqualTo(128);
        pool.give(old); // leased across the change: dropped, not pooled
        pool.give(fresh);
        List<ByteBuffer> seen = new ArrayList<>();
        seen.add(pool.take(128));
        seen.add(pool.take(128));
        assertThat(seen).allSatisfy(b -> assertThat(b.capacity()).isEqualTo(128)).doesNotContain(old);
        assertThat(pool.allocations()).isEqualTo(4);
        seen.forEach(pool::give);
    }

    @Test
    void clearDropsFreeBuffers() throws Exception {
        ByteBuffer a = pool.take(64);
        pool.give(a);
        pool.clear();
        assertThat(pool.take(64)).isNotSameAs(a);
        assertThat(pool.allocations()).isEqualTo(2);
    }

    @Test
    void misuseIsRefusedWithAClearMessage() throws Exception {
        assertThatThrownBy(() -> new SnapshotPool("p", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a snapshot pool needs at least 1 buffer, got 0");
        assertThatThrownBy(() -> pool.take(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -1");
        ByteBuffer a = pool.take(8);
        pool.give(a);
        assertThatThrownBy(() -> pool.give(a)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("given back twice");
        assertThat(pool.outstanding()).isZero();
    }

    static final PlaneInfo TWO_BY_TWO = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888,
            Modifier.LINEAR, 2, 2, 8, 16, 0, 0, java.util.Optional.empty(), 16);

    @Test
    void snapshotFillsAPooledBufferAndGivesItBackWhenTheLastLeaseCloses() throws Exception {
        PlaneBuffer b = pool.snapshot(TWO_BY_TWO, copy -> copy.putInt(12, 0x11223344));
        assertThat(b.memory()).isEqualTo(MemoryKind.SNAPSHOT);
        assertThat(b.info()).isEqualTo(TWO_BY_TWO);
        assertThat(b.pixels().getInt(12)).isEqualTo(0x11223344);
        assertThat(pool.outstanding()).isEqualTo(1);
        PlaneBuffer second = b.retain();
        b.close();
        assertThat(pool.outstanding()).isEqualTo(1);
        second.close();
        assertThat(pool.outstanding()).isZero();
        try (PlaneBuffer again = pool.pooled(TWO_BY_TWO, MemoryKind.PREAD_COPY, copy -> { })) {
            assertThat(again.memory()).isEqualTo(MemoryKind.PREAD_COPY);
        }
        assertThat(pool.allocations()).as("the same buffer again").isEqualTo(1);
    }

    @Test
    void aFailedFillGivesTheBufferBackAtOnce() throws Exception {
        DeviceException e = new DeviceException("reading failed", Errno.EIO.number());
        assertThatThrownBy(() -> pool.snapshot(TWO_BY_TWO, copy -> {
            throw e;
        })).isSameAs(e);
        assertThatThrownBy(() -> pool.snapshot(TWO_BY_TWO, copy -> {
            throw new IllegalStateException("bug");
        })).hasMessage("bug");
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.allocations()).isEqualTo(1);
    }
}
