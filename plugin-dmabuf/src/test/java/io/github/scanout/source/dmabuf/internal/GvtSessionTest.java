package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.GvtDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dma-buf session against the simulated Intel GVT-g, through core's real device layer. */
class GvtSessionTest extends SessionFixture {

    @Test
    void refusedMmapGivesFdOnlyBuffersAndTiledOnesKeepTheirModifierForImporters() throws Exception {
        GvtDevice g = open("sim:gvt?tiling=x");
        DmaBufSession s = session();
        for (boolean consistent : new boolean[] {false, true}) {
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, consistent)) {
                assertThat(b.memory()).isEqualTo(MemoryKind.DMABUF_FD);
                assertThat(b.info().modifier()).isEqualTo(Modifier.I915_X_TILED);
                assertThat(b.dmaBuf().orElseThrow().size()).isGreaterThanOrEqualTo(b.info().requiredBytes());
            }
        }
        assertThat(reporter.lines()).hasSize(1);
        assertThat(reporter.lines().get(0)).startsWith("INFO the dma-bufs of sim:gvt?tiling=x cannot be mapped by the CPU")
                .contains("ENODEV");
        assertThat(g.dmabufGets()).hasSize(1).containsValue(1);
    }

    @Test
    void pollsOfAnUnchangedFdOnlyPlaneAreLeasesOfOneBufferAndAFlipMakesANewOne() throws Exception {
        GvtDevice g = open("sim:gvt");
        DmaBufSession s = session();
        long leases = Leases.live();
        PlaneBuffer first = poll(s, PlaneType.PRIMARY, false);
        PlaneBuffer second = poll(s, PlaneType.PRIMARY, false);
        assertThat(first.memory()).isEqualTo(MemoryKind.DMABUF_FD);
        assertThat(second.identity()).as("the same answer again: another lease of the same buffer")
                .isSameAs(first.identity());
        first.close();
        second.close();
        assertThat(Leases.live()).as("the session keeps one lease of the plane's buffer").isEqualTo(leases + 1);

        g.flip();
        try (PlaneBuffer third = poll(s, PlaneType.PRIMARY, false)) {
            assertThat(third.identity()).as("a flipped plane is another buffer").isNotSameAs(first.identity());
            assertThat(third.info().bufferId()).isNotEqualTo(first.info().bufferId());
        }
        s.close();
        assertThat(Leases.live()).as("closing the session gives its lease back").isEqualTo(leases);
    }

    @Test
    void anUnchangedFdOnlyPlanePolledWithItsHeldLeaseIsAnsweredWithThatLease() throws Exception {
        GvtDevice g = open("sim:gvt");
        g.showCursor(true);
        DmaBufSession s = session();
        PlaneBuffer held = poll(s, PlaneType.PRIMARY, false);
        PlaneBuffer cursor = poll(s, PlaneType.CURSOR, false);
        long leases = Leases.live();
        for (int i = 0; i < 3; i++) {
            assertThat(s.acquire(PlaneType.PRIMARY, false, held).orElseThrow()).as("unchanged: the held lease itself")
                    .isSameAs(held);
            assertThat(s.acquire(PlaneType.CURSOR, false, cursor).orElseThrow()).isSameAs(cursor);
        }
        assertThat(Leases.live()).as("no lease made").isEqualTo(leases);
        assertThat(held.isOpen()).isTrue();

        // a lease of another plane, or a closed one, is no answer: a new lease
        try (PlaneBuffer other = s.acquire(PlaneType.PRIMARY, false, cursor).orElseThrow()) {
            assertThat(other).isNotSameAs(cursor).isNotSameAs(held);
            assertThat(other.identity()).isSameAs(held.identity());
        }
        // a moved cursor is the same buffer with another plane: a new lease that says where it is
        g.moveCursor(40, 30);
        PlaneBuffer moved = s.acquire(PlaneType.CURSOR, false, cursor).orElseThrow();
        assertThat(moved).isNotSameAs(cursor);
        assertThat(moved.info().x()).isEqualTo(40);
        cursor.close();
        moved.close();

        g.flip();
        try (PlaneBuffer flipped = s.acquire(PlaneType.PRIMARY, false, held).orElseThrow()) {
            assertThat(flipped).as("a flipped plane is another buffer").isNotSameAs(held);
            assertThat(flipped.identity()).isNotSameAs(held.identity());
            held.close();
            PlaneBuffer closed = held;
            assertThat(s.acquire(PlaneType.PRIMARY, false, closed).orElseThrow()).isNotSameAs(closed).satisfies(
                    PlaneBuffer::close);
        }
    }

    @Test
    void aMappedBufferIsNeverAnsweredWithTheHeldLease() throws Exception {
        open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        try (PlaneBuffer held = poll(s, PlaneType.PRIMARY, false);
                PlaneBuffer again = s.acquire(PlaneType.PRIMARY, false, held).orElseThrow()) {
            assertThat(held.memory()).isEqualTo(MemoryKind.DMABUF_MAPPING);
            assertThat(again).as("its CPU access lasts as long as its lease: a new one each poll").isNotSameAs(held);
        }
    }

    @Test
    void mappableLinearBuffersAreZeroCopyOrSnapshotsAsAsked() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        g.drawTestPattern(9);
        DmaBufSession s = session();
        try (PlaneBuffer live = poll(s, PlaneType.PRIMARY, false); PlaneBuffer snap = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(live.memory()).isEqualTo(MemoryKind.DMABUF_MAPPING);
            assertThat(live.dmaBuf()).isPresent();
            assertThat(snap.memory()).isEqualTo(MemoryKind.SNAPSHOT);
            assertThat(snap.dmaBuf()).isEmpty();
            assertThat((long) live.pixels().remaining()).isEqualTo(live.info().requiredBytes());
            assertThat(live.pixels().isReadOnly()).isTrue();
            assertThat(argb(live)).isEqualTo(g.pixels());
            assertThat(argb(snap)).isEqualTo(g.pixels());
        }
        assertThat(reporter.lines()).isEmpty();
    }

    @Test
    void cursorHasItsImageSignedPositionAndOptionalHotspotAndMovesWithoutNewDmabufs() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        long cursorId;
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, true)) {
            assertThat(c.info().type()).isEqualTo(PlaneType.CURSOR);
            assertThat(c.info().format()).isEqualTo(DrmFormat.ARGB8888);
            assertThat(c.info().width()).isEqualTo(64);
            assertThat(argb(c)).isEqualTo(g.cursorPixels());
            assertThat(c.info().hotspot()).contains(new Hotspot(0, 0));
            cursorId = c.info().bufferId();
        }
        for (int i = 0; i < 20; i++) {
            g.moveCursor(-10 - i, 30 - 5 * i);
            try (PlaneBuffer c = poll(s, PlaneType.CURSOR, i % 2 == 0)) {
                assertThat(c.info().x()).isEqualTo(-10 - i);
                assertThat(c.info().y()).isEqualTo(30 - 5 * i);
            }
        }
        g.setCursorHotspot(5, 6);
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, false)) {
            assertThat(c.info().hotspot()).contains(new Hotspot(5, 6));
        }
        g.clearCursorHotspot();
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, false)) {
            assertThat(c.info().hotspot()).isEmpty();
        }
        g.showCursor(false);
        assertThat(s.acquire(PlaneType.CURSOR, false)).as("a hidden cursor").isEmpty();
        g.showCursor(true);
        poll(s, PlaneType.CURSOR, false).close();
        assertThat(g.dmabufGets(cursorId)).as("moves and hiding reuse the cursor's dma-buf").isEqualTo(1);

        g.setCursorSignDropped(true); // what the real driver reports for a cursor off the left edge
        g.moveCursor(-12, 3);
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, false)) {
            assertThat(c.info().x()).isEqualTo(12);
        }
        g.setCursorSize(128);
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, true)) {
            assertThat(c.info().width()).isEqualTo(128);
            assertThat(argb(c)).isEqualTo(g.cursorPixels());
        }
        assertThat(reporter.lines()).isEmpty();
    }

    @Test
    void aHotspotOutsideTheCursorIsRejectedAndThePrimaryPlaneIsUnaffected() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        poll(s, PlaneType.CURSOR, false).close();
        g.setCursorHotspot(64, 0); // GVT-g reports it (it checks x <= width)
        assertThatThrownBy(() -> s.acquire(PlaneType.CURSOR, false)).isInstanceOf(InvalidPlaneException.class)
                .hasMessageContaining("x_hot = 64").hasMessageContaining("x_hot < width (64)");
        poll(s, PlaneType.PRIMARY, true).close();
        g.setCursorHotspot(63, 63);
        try (PlaneBuffer c = poll(s, PlaneType.CURSOR, false)) {
            assertThat(c.info().hotspot()).contains(new Hotspot(63, 63));
        }
    }

    @Test
    void pageFlipsReuseBothBuffers() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            g.flip();
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, i % 2 == 0)) {
                ids.add(b.info().bufferId());
                if (i % 5 == 0) {
                    assertThat(argb(b)).isEqualTo(g.pixels());
                }
            }
        }
        assertThat(ids.stream().distinct()).hasSize(2);
        assertThat(device.calls().stream().filter(c -> c.startsWith("openDmaBuf"))).hasSize(2);
    }

    @Test
    void reusedIdsNameNewBuffers() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session(DmaBufSettings.defaults().withCache(1, 1L << 30));
        PlaneBuffer first = poll(s, PlaneType.PRIMARY, false); // id 1, 1024x768
        assertThat(first.info().bufferId()).isEqualTo(1);
        g.setMode(800, 600);
        g.drawTestPattern(1);
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, false)) {
            assertThat(b.info().bufferId()).isEqualTo(2);
        }
        first.close(); // the last reference to id 1: its fd is closed and GVT-g frees the object
        g.setMode(640, 480);
        g.drawTestPattern(2);
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(b.info().bufferId()).as("GVT-g reuses the freed id").isEqualTo(1);
            assertThat(b.info().width()).isEqualTo(640);
            assertThat(argb(b)).isEqualTo(g.pixels());
        }
        assertThat(g.dmabufGets(1)).isEqualTo(2);
    }

    @Test
    void theCacheIsBoundedByEntriesAndEvictedBuffersCloseTheirFds() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        int[][] modes = {{320, 200}, {640, 480}, {800, 600}, {1024, 768}, {720, 400}, {400, 300}, {512, 512},
            {256, 256}};
        for (int[] m : modes) {
            g.setMode(m[0], m[1]);
            poll(s, PlaneType.PRIMARY, false).close();
        }
        assertThat(s.cache().size()).isEqualTo(5);
        assertThat(s.cache().alive()).isEqualTo(5);
        assertThat(g.liveFds()).as("the device fd and 5 dma-bufs").isEqualTo(6);
        s.reset();
        assertThat(g.liveFds()).isEqualTo(1);
    }

    @Test
    void theCacheIsBoundedByBytesButKeepsTheBufferInUse() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session(DmaBufSettings.defaults().withCache(5, 4L << 20));
        for (int[] m : new int[][] {{640, 480}, {800, 600}}) {
            g.setMode(m[0], m[1]);
            poll(s, PlaneType.PRIMARY, false).close();
        }
        assertThat(s.cache().size()).isEqualTo(2);
        g.setMode(1024, 768);
        poll(s, PlaneType.PRIMARY, false).close();
        assertThat(s.cache().size()).isEqualTo(1);
        assertThat(s.cache().bytes()).isEqualTo(1024L * 4 * 768);
        g.setMode(2048, 1536); // 12 MiB: larger than the bound on its own
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(argb(b)).isEqualTo(g.pixels());
        }
        assertThat(s.cache().size()).isEqualTo(1);
        assertThat(s.cache().bytes()).isEqualTo(2048L * 4 * 1536);
        assertThat(g.liveFds()).isEqualTo(2);
    }

    @Test
    void closingTheLastLeaseReleasesTheFdAndTheMapping() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        int fds = Resources.openFds();
        var fdList = Resources.fdSnapshot();
        long mappings = Resources.liveMappings();
        PlaneBuffer lease = poll(s, PlaneType.PRIMARY, false);
        PlaneBuffer other = lease.retain();
        s.close();
        assertThat(g.liveFds()).isEqualTo(2);
        assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);
        lease.close();
        assertThat(argb(other)).isEqualTo(g.pixels());
        other.close();
        assertThat(g.liveFds()).isEqualTo(1);
        assertThat(Resources.liveMappings()).isEqualTo(mappings);
        assertThat(Resources.fdsOpenedSince(fdList)).as("fds opened and not closed").isEmpty();
    }

    @Test
    void aTransientGetGfxDmabufFailureIsRetriedOnTheNextPoll() throws Exception {
        open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        scripted.failGetDmabuf(1, Errno.EAGAIN);
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        poll(s, PlaneType.PRIMARY, false).close();
        assertThat(reporter.lines()).hasSize(1);
        assertThat(reporter.lines().get(0)).contains("EAGAIN");
    }

    @Test
    void aDisabledPlaneIsEmptyAndForgotten() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        poll(s, PlaneType.PRIMARY, false).close();
        g.disablePlane();
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        g.failNext(1, Errno.EAGAIN);
        assertThat(s.acquire(PlaneType.PRIMARY, false)).as("no last good frame after a disable").isEmpty();
        g.enablePlane();
        poll(s, PlaneType.PRIMARY, true).close();
    }

    @Test
    void aVanishedDeviceIsAnErrorNotATransientEpisode() throws Exception {
        GvtDevice g = open("sim:gvt?mmap=allow");
        DmaBufSession s = session();
        PlaneBuffer held = poll(s, PlaneType.PRIMARY, false);
        g.vanish();
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(DeviceException.class)
                .satisfies(e -> assertThat(((DeviceException) e).isGone()).isTrue());
        assertThat(reporter.lines()).isEmpty();
        held.close();
        s.close();
        assertThat(g.liveFds()).isEqualTo(1);
    }

    @Test
    void snapshotsComeFromABoundedPoolWithoutAllocationPerFrame() throws Exception {
        open("sim:gvt?mmap=allow&tiling=y");
        DmaBufSession s = session();
        for (int i = 0; i < 100; i++) {
            poll(s, PlaneType.PRIMARY, i % 2 == 0).close();
        }
        assertThat(s.pool(PlaneType.PRIMARY).allocations()).isEqualTo(1);
        List<PlaneBuffer> held = new ArrayList<>();
        for (int i = 0; i < DmaBufSettings.DEFAULT_SNAPSHOT_BUFFERS; i++) {
            held.add(poll(s, PlaneType.PRIMARY, true));
        }
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, true)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("snapshot buffers").satisfies(e -> assertThat(((DeviceException) e).isTransient()).isTrue());
        held.forEach(PlaneBuffer::close);
        assertThat(s.pool(PlaneType.PRIMARY).outstanding()).isZero();
    }

    @Test
    void overlayPlanesAreNotOffered() throws Exception {
        open("sim:gvt");
        DmaBufSession s = session();
        assertThatThrownBy(() -> s.acquire(PlaneType.OVERLAY, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
