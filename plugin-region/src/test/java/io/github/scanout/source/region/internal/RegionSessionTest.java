package io.github.scanout.source.region.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.CountingDevice;
import io.github.scanout.sim.MdpyDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The region session against simulated mdpy devices, through core's real device layer. */
class RegionSessionTest {
    static final int REGION = 16;

    final RecordingReporter reporter = new RecordingReporter();
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final List<AutoCloseable> toClose = new ArrayList<>();

    MdpyDevice sim = MdpyDevice.create(MdpyDevice.Type.XGA);
    ScriptedDevice scripted = new ScriptedDevice(sim);
    CountingDevice device;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    CountingDevice open() throws DeviceException {
        device = new CountingDevice(new Devices().open(scripted));
        toClose.add(device);
        return device;
    }

    RegionSession session(RegionSettings settings) throws DeviceException {
        if (device == null) {
            open();
        }
        RegionSession s = new RegionSession(device, settings, reporter, clock::get);
        toClose.add(s);
        return s;
    }

    RegionSession session() throws DeviceException {
        return session(RegionSettings.defaults());
    }

    static int[] argb(PlaneBuffer b) {
        return PixelConverter.toArgb(b.info(), b.pixels());
    }

    @ParameterizedTest
    @EnumSource(MdpyDevice.Type.class)
    void everyMdpyTypeShowsItsFramebufferLiveAndAsSnapshot(MdpyDevice.Type type) throws Exception {
        sim = MdpyDevice.create(type);
        scripted = new ScriptedDevice(sim);
        sim.drawTestPattern(3);
        RegionSession s = session();
        try (PlaneBuffer live = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
                PlaneBuffer snap = s.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
            PlaneInfo info = live.info();
            assertThat(info.format()).isEqualTo(DrmFormat.XRGB8888);
            assertThat(info.width()).isEqualTo(type.width());
            assertThat(info.height()).isEqualTo(type.height());
            assertThat(info.stride()).isEqualTo(type.width() * 4);
            assertThat(info.bufferId()).isEqualTo(REGION);
            assertThat(info.size()).isEqualTo(sim.framebufferSize());
            assertThat(live.memory()).isEqualTo(MemoryKind.LIVE_MAPPING);
            assertThat(snap.memory()).isEqualTo(MemoryKind.SNAPSHOT);
            assertThat(snap.info()).isEqualTo(info);
            for (PlaneBuffer b : List.of(live, snap)) {
                ByteBuffer px = b.pixels();
                assertThat(px.isReadOnly()).isTrue();
                assertThat((long) px.remaining()).as("exactly the bytes the layout needs").isEqualTo(info.requiredBytes())
                        .isLessThan(sim.framebufferSize());
                assertThat(argb(b)).isEqualTo(sim.pixels());
            }
        }
    }

    @Test
    void looksUpTheRegionThePlaneNamesAboveNumRegions() throws Exception {
        RegionSession s = session();
        assertThat(device.info().numRegions()).isEqualTo(9);
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        assertThat(device.calls()).containsExactly("queryPlane PRIMARY", "regionInfo 16", "mapRegion 16");
    }

    @Test
    void liveViewFollowsTheGuestAndSnapshotDoesNot() throws Exception {
        sim.fill(0xff112233);
        RegionSession s = session();
        try (PlaneBuffer live = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
                PlaneBuffer snap = s.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
            sim.fill(0xff445566);
            assertThat(argb(live)[1000]).isEqualTo(0xff445566);
            assertThat(argb(snap)[1000]).isEqualTo(0xff112233);
        }
    }

    @Test
    void mapsOnceAndReusesPooledSnapshotsAcrossPolls() throws Exception {
        RegionSession s = session();
        for (int i = 0; i < 200; i++) {
            try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, i % 2 == 0).orElseThrow()) {
                assertThat(b.pixels().get(0)).isNotNull();
            }
        }
        assertThat(device.count("mapRegion 16")).isEqualTo(1);
        assertThat(device.count("regionInfo 16")).isEqualTo(1);
        assertThat(device.count("queryPlane PRIMARY")).isEqualTo(200);
        assertThat(s.pool(PlaneType.PRIMARY).allocations()).as("no allocation per frame").isEqualTo(1);
    }

    @Test
    void pollsOfAnUnchangedPlaneAreLeasesOfOneBufferAndAChangeMakesANewOne() throws Exception {
        RegionSession s = session();
        long leases = Leases.live();
        PlaneBuffer first = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
        PlaneBuffer second = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
        assertThat(second.identity()).as("the same plane again: another lease of the same buffer")
                .isSameAs(first.identity());
        first.close();
        second.close();
        // the session keeps one lease of the current plane's buffer
        assertThat(Leases.live()).isEqualTo(leases + 1);

        scripted.planes((plane, a) -> {
            a.width = 800;
            a.height = 600;
        });
        try (PlaneBuffer third = s.acquire(PlaneType.PRIMARY, false).orElseThrow()) {
            assertThat(third.identity()).as("a new plane is a new buffer").isNotSameAs(first.identity());
            assertThat(third.info().width()).isEqualTo(800);
        }
        assertThat(Leases.live()).isEqualTo(leases + 1);
        s.close();
        assertThat(Leases.live()).as("closing the session gives its lease back").isEqualTo(leases);
    }

    @Test
    void remapsWhenTheRegionIndexChangesAndKeepsTheOldMappingForItsLeases() throws Exception {
        sim.drawTestPattern(1);
        RegionSession s = session();
        long mappings = Resources.liveMappings();
        PlaneBuffer first = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
        assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);

        // mdpy's BAR0 (region 0) is the same framebuffer as its display region 16
        scripted.planes((plane, a) -> a.bufferId = 0);
        try (PlaneBuffer second = s.acquire(PlaneType.PRIMARY, false).orElseThrow()) {
            assertThat(second.info().bufferId()).isZero();
            assertThat(device.calls()).contains("regionInfo 0", "mapRegion 0");
            assertThat(Resources.liveMappings()).as("old mapping kept for its lease").isEqualTo(mappings + 2);
            assertThat(argb(second)).isEqualTo(sim.pixels());
            assertThat(argb(first)).isEqualTo(sim.pixels());
            first.close();
            assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);
        }
        scripted.planes(null);
        s.acquire(PlaneType.PRIMARY, true).orElseThrow().close();
        assertThat(device.count("mapRegion 16")).isEqualTo(2);
        assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);
        s.close();
        assertThat(Resources.liveMappings()).isEqualTo(mappings);
    }

    @Test
    void rebuildsThePlaneViewWhenWidthHeightStrideOrFormatChange() throws Exception {
        sim.drawTestPattern(2);
        int[] guest = sim.pixels(); // 1024 x 768, stride 4096
        RegionSession s = session();
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();

        scripted.planes((plane, a) -> {
            a.width = 800;
            a.height = 600;
        });
        try (PlaneBuffer live = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
                PlaneBuffer snap = s.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
            assertThat(live.info().width()).isEqualTo(800);
            assertThat(live.info().stride()).isEqualTo(4096);
            assertThat((long) live.pixels().remaining()).isEqualTo(4096L * 599 + 800 * 4);
            int[] expected = new int[800 * 600];
            for (int y = 0; y < 600; y++) {
                System.arraycopy(guest, y * 1024, expected, y * 800, 800);
            }
            assertThat(argb(live)).isEqualTo(expected);
            assertThat(argb(snap)).isEqualTo(expected);
        }

        scripted.planes((plane, a) -> {
            a.width = 640;
            a.height = 400;
            a.stride = 640 * 4;
            a.format = DrmFormat.XBGR8888.fourcc();
        });
        try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
            assertThat(b.info().format()).isEqualTo(DrmFormat.XBGR8888);
            int[] got = argb(b);
            for (int i = 0; i < 640 * 400; i += 997) {
                int v = guest[i]; // the same bytes, read with red and blue swapped
                int swapped = 0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
                assertThat(got[i]).as("pixel %d", i).isEqualTo(swapped);
            }
        }
        assertThat(device.count("mapRegion 16")).as("a new layout is a new view, not a new mapping").isEqualTo(1);
    }

    @Test
    void cursorIsNotQueriedByDefault() throws Exception {
        RegionSession s = session();
        assertThat(s.acquire(PlaneType.CURSOR, false)).isEmpty();
        assertThat(s.acquire(PlaneType.CURSOR, true)).isEmpty();
        assertThat(device.calls()).isEmpty();
    }

    @Test
    void mdpyAnswersACursorQueryWithItsPrimaryPlaneWhichIsRejected() throws Exception {
        RegionSession s = session(RegionSettings.defaults().withQueryCursor(true));
        assertThatThrownBy(() -> s.acquire(PlaneType.CURSOR, false)).isInstanceOf(InvalidPlaneException.class)
                .hasMessageContaining("a cursor is at most 256 wide");
    }

    @Test
    void aRealRegionCursorIsShownWithItsSignedPositionAndHotspot() throws Exception {
        scripted.planes((plane, a) -> {
            if (plane == PlaneType.CURSOR) {
                a.format = DrmFormat.ARGB8888.fourcc();
                a.width = 64;
                a.height = 64;
                a.stride = 256;
                a.size = 64 * 256;
                a.xPos = -5;
                a.yPos = 7;
                a.xHot = 3;
                a.yHot = 4;
            }
        });
        RegionSession s = session(RegionSettings.defaults().withQueryCursor(true));
        try (PlaneBuffer p = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
                PlaneBuffer c = s.acquire(PlaneType.CURSOR, false).orElseThrow()) {
            assertThat(c.info().type()).isEqualTo(PlaneType.CURSOR);
            assertThat(c.info().x()).isEqualTo(-5);
            assertThat(c.info().y()).isEqualTo(7);
            assertThat(c.info().hotspot()).contains(new Hotspot(3, 4));
            assertThat(c.pixels().remaining()).isEqualTo(64 * 256);
            assertThat(p.info().width()).isEqualTo(1024);
        }
        assertThat(device.count("mapRegion 16")).as("both planes share one mapping").isEqualTo(1);
    }

    @Test
    void withoutMmapTheRegionIsReadWithPreadIntoPooledCopiesAndSaysSo() throws Exception {
        sim.drawTestPattern(5);
        scripted.regions(r -> {
            if (r.index == REGION) {
                r.flags &= ~4; // no VFIO_REGION_INFO_FLAG_MMAP
            }
        });
        scripted.correctPread(0x1000, sim.framebufferSize());
        RegionSession s = session();
        for (boolean consistent : new boolean[] {false, true, false}) {
            try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, consistent).orElseThrow()) {
                assertThat(b.memory()).isEqualTo(MemoryKind.PREAD_COPY);
                assertThat(b.memory().consistent()).isTrue();
                assertThat(argb(b)).isEqualTo(sim.pixels());
            }
        }
        assertThat(device.calls()).doesNotContain("mapRegion 16").contains("readRegion 16");
        assertThat(reporter.lines()).hasSize(1);
        assertThat(reporter.lines().get(0)).startsWith("INFO region 16 of sim:mdpy-xga cannot be mmapped")
                .contains("PREAD_COPY");
    }

    @Test
    void transientErrorBeforeTheFirstFrameAnswersEmptyThenTheFrameOnTheNextPoll() throws Exception {
        RegionSession s = session();
        sim.failNext(1, Errno.ENOMEM);
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, false).orElseThrow()) {
            assertThat(b.info().width()).isEqualTo(1024);
        }
        assertThat(reporter.lines()).hasSize(1);
        assertThat(reporter.lines().get(0)).startsWith("INFO primary plane of sim:mdpy-xga (region): ")
                .contains("ENOMEM").contains("transient");
    }

    @Test
    void backsOffDoublingAndReturnsTheLastGoodFrameReportingOncePerEpisode() throws Exception {
        sim.fill(0xff0000ff);
        RegionSession s = session();
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        sim.failNext(1000, Errno.EAGAIN);
        device.clear();

        List<Integer> queriedAtMillis = new ArrayList<>();
        long start = clock.get();
        for (int ms = 0; ms <= 3000; ms++) {
            clock.set(start + ms * 1_000_000L);
            long before = device.count("queryPlane PRIMARY");
            try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, ms % 2 == 0).orElseThrow()) {
                assertThat(argb(b)[0]).as("the last good frame").isEqualTo(0xff0000ff);
            }
            if (device.count("queryPlane PRIMARY") > before) {
                queriedAtMillis.add(ms);
            }
        }
        // the first failure at 0, the retry on the next poll (1 ms), then 10, 20, 40 ... 1000 ms apart
        assertThat(queriedAtMillis.subList(0, 9)).containsExactly(0, 1, 11, 31, 71, 151, 311, 631, 1271);
        assertThat(queriedAtMillis.get(9)).isEqualTo(2271);
        assertThat(reporter.lines()).hasSize(2);
        assertThat(reporter.lines().get(0)).startsWith("INFO ").contains("EAGAIN");
        assertThat(reporter.lines().get(1)).startsWith("WARNING ").contains("still failing after 9 attempts");

        sim.failNext(0, Errno.EAGAIN);
        clock.addAndGet(1_000_000_000L);
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        assertThat(reporter.lines()).hasSize(3);
        assertThat(reporter.lines().get(2)).startsWith("INFO ").contains("recovered after");
    }

    @Test
    void aDisabledPlaneIsEmptyAndForgotten() throws Exception {
        RegionSession s = session();
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        scripted.planes((plane, a) -> a.disable());
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        sim.failNext(1, Errno.EAGAIN);
        assertThat(s.acquire(PlaneType.PRIMARY, false)).as("no last good frame after a disable").isEmpty();
        scripted.planes(null);
        assertThat(s.acquire(PlaneType.PRIMARY, true)).isPresent().get().satisfies(PlaneBuffer::close);
        assertThat(reporter.lines()).hasSize(1);
    }

    @Test
    void snapshotPoolIsBoundedAndReused() throws Exception {
        RegionSession s = session();
        List<PlaneBuffer> held = new ArrayList<>();
        for (int i = 0; i < RegionSettings.DEFAULT_SNAPSHOT_BUFFERS; i++) {
            held.add(s.acquire(PlaneType.PRIMARY, true).orElseThrow());
        }
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, true)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("all 4 snapshot buffers of the primary plane of sim:mdpy-xga (region) are leased")
                .satisfies(e -> assertThat(((DeviceException) e).isTransient()).isTrue());
        try (PlaneBuffer live = s.acquire(PlaneType.PRIMARY, false).orElseThrow()) {
            assertThat(live.memory()).as("live views need no pool").isEqualTo(MemoryKind.LIVE_MAPPING);
        }
        held.remove(0).close();
        s.acquire(PlaneType.PRIMARY, true).orElseThrow().close();
        held.forEach(PlaneBuffer::close);
        assertThat(s.pool(PlaneType.PRIMARY).allocations()).isEqualTo(4);
        assertThat(s.pool(PlaneType.PRIMARY).outstanding()).isZero();
    }

    @Test
    void resetDropsTheMappingAndTheNextPollMapsAgain() throws Exception {
        RegionSession s = session();
        long mappings = Resources.liveMappings();
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);
        s.reset();
        assertThat(Resources.liveMappings()).isEqualTo(mappings);
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        assertThat(device.count("mapRegion 16")).isEqualTo(2);
    }

    @Test
    void leasesOutliveTheSessionAndTheDevice() throws Exception {
        sim.drawTestPattern(7);
        int[] expected = sim.pixels();
        long mappings = Resources.liveMappings();
        RegionSession s = session();
        PlaneBuffer live = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
        PlaneBuffer snap = s.acquire(PlaneType.PRIMARY, true).orElseThrow();
        s.close();
        device.close();
        assertThat(argb(live)).isEqualTo(expected);
        assertThat(argb(snap)).isEqualTo(expected);
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        live.close();
        snap.close();
        assertThat(Resources.liveMappings()).isEqualTo(mappings);
    }

    @Test
    void aVanishedDeviceIsAnErrorNotATransientEpisode() throws Exception {
        RegionSession s = session();
        s.acquire(PlaneType.PRIMARY, false).orElseThrow().close();
        sim.vanish();
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(DeviceException.class)
                .satisfies(e -> assertThat(((DeviceException) e).isGone()).isTrue());
        assertThat(reporter.lines()).isEmpty();
    }

    @Test
    void overlayPlanesAreNotOffered() throws Exception {
        RegionSession s = session();
        assertThatThrownBy(() -> s.acquire(PlaneType.OVERLAY, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PRIMARY and CURSOR");
    }
}
