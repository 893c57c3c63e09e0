package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.MbochsDevice;
import org.junit.jupiter.api.Test;

/** The dma-buf session against the simulated mbochs, through core's real device layer. */
class MbochsSessionTest extends SessionFixture {

    @Test
    void firstQueryOfAModeIsENOMEMAndTheFrameArrivesOnTheNextPollWithOneLineLogged() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=1024x768&mmap=allow");
        DmaBufSession s = session();
        assertThat(s.acquire(PlaneType.PRIMARY, true)).as("no frame yet: mbochs answered ENOMEM").isEmpty();
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(b.info().width()).isEqualTo(1024);
            assertThat(b.info().height()).isEqualTo(768);
            assertThat(b.info().bufferId()).isEqualTo(1);
            assertThat(argb(b)).isEqualTo(m.pixels());
        }
        assertThat(reporter.lines()).hasSize(1);
        assertThat(reporter.lines().get(0))
                .startsWith("INFO primary plane of sim:mbochs?mode=1024x768&mmap=allow (dmabuf): ")
                .contains("ENOMEM").contains("transient");
        assertThat(device.count("queryPlane PRIMARY")).isEqualTo(2);
    }

    @Test
    void modeChangesShowTheLastFrameDuringENOMEMAndReuseBuffersOfKnownModes() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=1024x768&mmap=allow");
        DmaBufSession s = session();
        s.acquire(PlaneType.PRIMARY, false);
        poll(s, PlaneType.PRIMARY, false).close();

        // 1280x720: a page-aligned size (the kernel maps a dma-buf only in whole pages of its size)
        m.guest().setMode(1280, 720);
        m.drawTestPattern(4);
        try (PlaneBuffer during = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(during.info().width()).as("the last good frame while mbochs answers ENOMEM").isEqualTo(1024);
        }
        try (PlaneBuffer after = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(after.info().width()).isEqualTo(1280);
            assertThat(after.info().bufferId()).isEqualTo(2);
            assertThat(argb(after)).isEqualTo(m.pixels());
        }
        m.guest().setMode(1024, 768);
        m.drawTestPattern(5);
        try (PlaneBuffer back = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(back.info().bufferId()).as("mbochs keeps its buffer object per mode").isEqualTo(1);
            assertThat(argb(back)).isEqualTo(m.pixels());
        }
        assertThat(m.dmabufGets()).containsOnly(org.assertj.core.api.Assertions.entry(1L, 1),
                org.assertj.core.api.Assertions.entry(2L, 1));
        assertThat(lines("ENOMEM")).as("one line per episode").isEqualTo(2);
    }

    @Test
    void refusedMmapGivesFdOnlyBuffersForImportersAndSaysSoOnce() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=800x600");
        DmaBufSession s = session();
        s.acquire(PlaneType.PRIMARY, false);
        for (boolean consistent : new boolean[] {false, true, false, true}) {
            try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, consistent)) {
                assertThat(b.memory()).isEqualTo(MemoryKind.DMABUF_FD);
                assertThat(b.cpuReadable()).isFalse();
                assertThat(b.dmaBuf()).isPresent();
                assertThat(b.dmaBuf().get().fd()).isPositive();
                assertThat(b.dmaBuf().get().size()).isGreaterThanOrEqualTo(b.info().requiredBytes());
                assertThatThrownBy(b::pixels).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("the CPU cannot read it; use an importer");
            }
        }
        assertThat(lines("cannot be mapped by the CPU")).isEqualTo(1);
        assertThat(reporter.lines()).anySatisfy(l -> assertThat(l).contains("cannot be mapped by the CPU")
                .contains("EINVAL").contains("DMABUF_FD"));
        assertThat(m.dmabufGets(1)).isEqualTo(1);
    }

    @Test
    void noModeMeansDisabledPlanesAndTheCursorIsAlwaysDisabled() throws Exception {
        MbochsDevice m = open("sim:mbochs?mmap=allow");
        DmaBufSession s = session();
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        assertThat(s.acquire(PlaneType.CURSOR, false)).isEmpty();
        m.guest().setMode(640, 480);
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        poll(s, PlaneType.PRIMARY, false).close();
        assertThat(s.acquire(PlaneType.CURSOR, true)).isEmpty();
        m.guest().disable();
        assertThat(s.acquire(PlaneType.PRIMARY, false)).isEmpty();
        assertThat(reporter.lines()).hasSize(1); // the ENOMEM of the new mode; disabled planes are not errors
    }

    @Test
    void neverAsksTwiceForALiveIdEvenWhenTheCacheEvictedIt() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=640x480");
        DmaBufSession s = session(DmaBufSettings.defaults().withCache(1, 1L << 30));
        s.acquire(PlaneType.PRIMARY, false);
        PlaneBuffer held = poll(s, PlaneType.PRIMARY, false); // id 1, kept by a slow consumer

        m.guest().setMode(800, 600);
        s.acquire(PlaneType.PRIMARY, false).ifPresent(PlaneBuffer::close);
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, false)) {
            assertThat(b.info().bufferId()).isEqualTo(2);
        }
        assertThat(s.cache().size()).isEqualTo(1);
        assertThat(s.cache().alive()).as("id 1 evicted, its fd kept by the lease").isEqualTo(2);

        m.guest().setMode(640, 480); // id 1 again, while its dma-buf is alive
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, false)) {
            assertThat(b.info().bufferId()).isEqualTo(1);
            assertThat(b.dmaBuf().orElseThrow().fd()).isEqualTo(held.dmaBuf().orElseThrow().fd());
        }
        assertThat(m.dmabufGets(1)).as("GET_GFX_DMABUF once per live id").isEqualTo(1);

        held.close();
        m.guest().setMode(800, 600);
        poll(s, PlaneType.PRIMARY, false).close(); // id 2 evicts id 1, whose last lease is gone: fd closed
        m.guest().setMode(640, 480);
        poll(s, PlaneType.PRIMARY, false).close();
        assertThat(m.dmabufGets(1)).as("asked again only after its fd was closed").isEqualTo(2);
        assertThat(m.violations()).isEmpty();
    }

    @Test
    void resetDropsEverythingAndLeasesKeepTheirBuffers() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=640x480&mmap=allow");
        DmaBufSession s = session();
        s.acquire(PlaneType.PRIMARY, false);
        long mappings = Resources.liveMappings();
        poll(s, PlaneType.PRIMARY, true).close();
        assertThat(m.liveFds()).isEqualTo(2);
        assertThat(Resources.liveMappings()).isEqualTo(mappings + 1);
        s.reset();
        assertThat(s.cache().alive()).isZero();
        assertThat(m.liveFds()).as("only the device fd").isEqualTo(1);
        assertThat(Resources.liveMappings()).isEqualTo(mappings);

        PlaneBuffer held = poll(s, PlaneType.PRIMARY, false);
        assertThat(m.dmabufGets(1)).as("the dma-buf was closed, so it may be asked for again").isEqualTo(2);
        s.reset();
        assertThat(m.liveFds()).as("the lease keeps its fd").isEqualTo(2);
        assertThat(argb(held)).isEqualTo(m.pixels());
        poll(s, PlaneType.PRIMARY, false).close();
        assertThat(m.dmabufGets(1)).as("a live dma-buf is reused, never asked for twice").isEqualTo(2);
        held.close();
        s.close();
        assertThat(m.liveFds()).isEqualTo(1);
        assertThat(Resources.liveMappings()).isEqualTo(mappings);
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFramebufferOffsetThatIsNotPageAlignedIsATypedErrorAskedOnce() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=640x480&mmap=allow");
        DmaBufSession s = session();
        s.acquire(PlaneType.PRIMARY, false);
        poll(s, PlaneType.PRIMARY, false).close();
        m.guest().pan(1, 0); // framebuffer at VRAM offset 4
        s.acquire(PlaneType.PRIMARY, false).ifPresent(PlaneBuffer::close); // ENOMEM: a new buffer object
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("VFIO_DEVICE_GET_GFX_DMABUF for dma-buf 2").hasMessageContaining("EINVAL")
                .satisfies(e -> assertThat(((DeviceException) e).errno()).isEqualTo(Errno.EINVAL.number()));
        assertThatThrownBy(() -> s.acquire(PlaneType.PRIMARY, false)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("failed before and is not asked for again");
        assertThat(m.dmabufGets(2)).isEqualTo(1);
        m.guest().pan(0, 0);
        try (PlaneBuffer b = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(b.info().bufferId()).isEqualTo(1);
        }
        assertThat(m.liveFds()).isEqualTo(2);
    }

    @Test
    void mappedBuffersAreSyncedAroundReads() throws Exception {
        MbochsDevice m = open("sim:mbochs?mode=640x480&mmap=allow");
        m.fill(0xff102030);
        DmaBufSession s = session();
        s.acquire(PlaneType.PRIMARY, false);
        scripted.clearSyncs();
        try (PlaneBuffer snap = poll(s, PlaneType.PRIMARY, true)) {
            assertThat(snap.memory()).isEqualTo(MemoryKind.SNAPSHOT);
            assertThat(scripted.syncs()).hasSize(2);
            assertThat(scripted.syncs().get(0)).startsWith("START|READ fd ");
            assertThat(scripted.syncs().get(1)).startsWith("END|READ fd ");
            PlaneBuffer live = poll(s, PlaneType.PRIMARY, false);
            assertThat(live.memory()).isEqualTo(MemoryKind.DMABUF_MAPPING);
            assertThat(live.dmaBuf()).isPresent();
            assertThat(scripted.syncs()).hasSize(3);
            assertThat(scripted.syncs().get(2)).startsWith("START|READ");
            m.fill(0xff405060);
            assertThat(argb(live)[100]).as("a mapping shows the guest's drawing").isEqualTo(0xff405060);
            assertThat(argb(snap)[100]).as("a snapshot does not").isEqualTo(0xff102030);
            PlaneBuffer second = live.retain();
            live.close();
            assertThat(scripted.syncs()).as("END only when the last lease closes").hasSize(3);
            second.close();
            assertThat(scripted.syncs()).hasSize(4);
            assertThat(scripted.syncs().get(3)).startsWith("END|READ");
        }
    }
}
