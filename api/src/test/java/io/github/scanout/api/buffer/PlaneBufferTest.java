package io.github.scanout.api.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlaneBufferTest {

    static final PlaneInfo INFO = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888,
            Modifier.LINEAR, 4, 2, 16, 32, 0, 0, Optional.empty(), 16);

    @Test
    void releasesOnceWhenTheLastLeaseCloses() {
        AtomicInteger released = new AtomicInteger();
        long live = Leases.live();
        PlaneBuffer first = PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(32), null,
                released::incrementAndGet);
        PlaneBuffer second = first.retain();
        assertThat(Leases.live()).isEqualTo(live + 2);
        first.close();
        first.close();
        assertThat(released).hasValue(0);
        assertThat(second.pixels().getInt(0)).isZero();
        second.close();
        assertThat(released).hasValue(1);
        assertThat(Leases.live()).isEqualTo(live);
    }

    @Test
    void aClosedLeaseCannotBeUsed() {
        PlaneBuffer b = PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(32), null, null);
        b.close();
        assertThatThrownBy(b::pixels).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(b::retain).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pixelsAreReadOnlyAndOnlyForCpuMemory() {
        try (PlaneBuffer b = PlaneBuffer.create(INFO, MemoryKind.LIVE_MAPPING, ByteBuffer.allocate(32), null, null)) {
            assertThat(b.pixels().isReadOnly()).isTrue();
        }
        try (PlaneBuffer fd = PlaneBuffer.create(INFO, MemoryKind.DMABUF_FD, null, null, null)) {
            assertThatThrownBy(fd::pixels).hasMessageContaining("importer");
        }
        assertThatThrownBy(() -> PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(31), null, null))
                .hasMessageContaining("needs 32").hasMessageContaining("31");
    }

    @Test
    void aLeaseDroppedWithoutCloseIsReportedAndReleased() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        AtomicInteger released = new AtomicInteger();
        Leases.onLeak(reports::add);
        try {
            long leaked = Leases.leaked();
            dropALease(released);
            for (int i = 0; i < 200 && released.get() == 0; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(released).hasValue(1);
            assertThat(Leases.leaked()).isEqualTo(leaked + 1);
            assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("LEAK:").contains("XR24 4x2"));
        } finally {
            Leases.onLeak(m -> { });
        }
    }

    @Test
    void severalLeasesOfOneBufferDroppedWithoutCloseAreReportedOnceAndReleaseItOnce() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        AtomicInteger released = new AtomicInteger();
        Leases.onLeak(reports::add);
        try {
            long leaked = Leases.leaked();
            long live = Leases.live();
            dropThreeLeasesClosingOne(released);
            assertThat(Leases.live()).isEqualTo(live + 2);
            for (int i = 0; i < 200 && released.get() == 0; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(released).hasValue(1);
            assertThat(Leases.leaked()).isEqualTo(leaked + 2);
            assertThat(Leases.live()).isEqualTo(live);
            assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("LEAK:").contains("XR24 4x2")
                    .contains("2 open leases"));
        } finally {
            Leases.onLeak(m -> { });
        }
    }

    private static void dropThreeLeasesClosingOne(AtomicInteger released) {
        PlaneBuffer first = PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(32), null,
                released::incrementAndGet);
        first.retain();
        first.retain().close();
    }

    @Test
    void everyLeaseOfOneBufferHasItsIdentityAndAnotherBufferAnother() {
        try (PlaneBuffer a = PlaneBuffer.snapshot(INFO, ByteBuffer.allocate(32), null);
                PlaneBuffer b = PlaneBuffer.snapshot(INFO, ByteBuffer.allocate(32), null)) {
            PlaneBuffer again = a.retain();
            again.close();
            assertThat(again.identity()).as("a closed lease keeps its identity").isSameAs(a.identity());
            assertThat(b.identity()).as("the same plane, other memory").isNotSameAs(a.identity());
        }
    }

    @Test
    void theLastCloseReleasesTheBufferOnceAndNothingIsReportedLater() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        AtomicInteger released = new AtomicInteger();
        Leases.onLeak(reports::add);
        try {
            long leaked = Leases.leaked();
            closeEveryLease(released);
            assertThat(released).hasValue(1);
            System.gc();
            Thread.sleep(100);
            assertThat(released).hasValue(1);
            assertThat(Leases.leaked()).isEqualTo(leaked);
            assertThat(reports).noneSatisfy(r -> assertThat(r).contains("XR24 4x2"));
        } finally {
            Leases.onLeak(m -> { });
        }
    }

    private static void closeEveryLease(AtomicInteger released) {
        PlaneBuffer first = PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(32), null,
                released::incrementAndGet);
        PlaneBuffer second = first.retain();
        first.close();
        second.close();
        second.close();
    }

    private static void dropALease(AtomicInteger released) {
        PlaneBuffer.create(INFO, MemoryKind.SNAPSHOT, ByteBuffer.allocate(32), null, released::incrementAndGet);
    }

    @Test
    void namedFactoriesSayWhatKindOfMemoryTheyMake() {
        AtomicInteger released = new AtomicInteger();
        try (PlaneBuffer s = PlaneBuffer.snapshot(INFO, ByteBuffer.allocate(32), released::incrementAndGet);
                PlaneBuffer l = PlaneBuffer.liveMapping(INFO, ByteBuffer.allocate(32), null)) {
            assertThat(s.memory()).isEqualTo(MemoryKind.SNAPSHOT);
            assertThat(l.memory()).isEqualTo(MemoryKind.LIVE_MAPPING);
            assertThat(s.dmaBuf()).isEmpty();
        }
        assertThat(released).hasValue(1);
        assertThatThrownBy(() -> PlaneBuffer.snapshot(INFO, null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("pixels");
        assertThatThrownBy(() -> PlaneBuffer.dmaBufOnly(INFO, null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("dmaBuf");
    }
}
