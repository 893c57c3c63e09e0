package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Resources;
import io.github.scanout.core.fixture.CoreFixture;
import io.github.scanout.core.fixture.WritableMapping;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's mbochs sample (dma-buf display of an emulated Bochs VGA), and the simulated model
 * of it: the test plays the guest (DISPI registers, VRAM) and checks what Scanout sees.
 */
class MbochsE2eTest {
    static final int VRAM = 0;

    Map<Integer, String> fdsBefore;
    GfxDevice dev;
    Dispi guest;

    @BeforeAll
    static void warmUp() throws Exception {
        // The first open loads classes (jar fds) and native code: keep that out of the fd counts.
        try (GfxDevice d = Target.openMbochs()) {
            d.probe(BufferType.DMABUF);
            d.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY);
        }
    }

    @BeforeEach
    void open() throws Exception {
        fdsBefore = Resources.fdSnapshot();
        dev = Target.openMbochs();
        guest = new Dispi(dev);
    }

    @AfterEach
    void closeAndCountFds() throws Exception {
        guest.disable();
        dev.close();
        assertThat(Resources.fdsOpenedSince(fdsBefore)).as("open fds after closing the %s mbochs", Target.describe())
                .isEmpty();
        if (!Target.real()) {
            assertThat(Target.simMbochs().violations()).as("driver rules broken").isEmpty();
        }
    }

    /** Queries until the plane comes, returning how many ENOMEM answers came first. */
    private int enomemsBeforePlane(PlaneInfo[] out) throws Exception {
        for (int i = 0; i < 5; i++) {
            try {
                Optional<PlaneInfo> p = dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY);
                out[0] = p.orElse(null);
                return i;
            } catch (DeviceException e) {
                assertThat(e.is(Errno.ENOMEM)).as("only ENOMEM may come before the plane: %s", e).isTrue();
            }
        }
        throw new AssertionError("no plane after 5 queries");
    }

    private PlaneInfo plane() throws Exception {
        PlaneInfo[] p = new PlaneInfo[1];
        enomemsBeforePlane(p);
        return p[0];
    }

    @Test
    void probesDmaBufOnly() throws Exception {
        assertThat(dev.probe(BufferType.DMABUF)).isTrue();
        assertThat(dev.probe(BufferType.REGION)).isFalse();
    }

    @Test
    void noPlaneBeforeTheGuestSetsAMode() throws Exception {
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).isEmpty();
    }

    @Test
    void theCursorPlaneIsAlwaysDisabled() throws Exception {
        guest.setMode(1024, 768);
        plane();
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.CURSOR)).isEmpty();
    }

    @Test
    void aNewModeAnswersEnomemOnceThenAStableId() throws Exception {
        guest.setMode(1024, 768);
        PlaneInfo[] first = new PlaneInfo[1];
        assertThat(enomemsBeforePlane(first)).as("ENOMEM answers before the new mode's plane").isEqualTo(1);
        PlaneInfo p = first[0];
        assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
        assertThat(p.width()).isEqualTo(1024);
        assertThat(p.height()).isEqualTo(768);
        assertThat(p.stride()).isEqualTo(4096);
        assertThat(p.bufferId()).isGreaterThanOrEqualTo(1);
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).contains(p);
    }

    @Test
    void idsAreOnePerModeAndComeBackWithTheMode() throws Exception {
        guest.setMode(1024, 768);
        long xga = plane().bufferId();
        guest.setMode(800, 600);
        PlaneInfo svga = plane();
        assertThat(svga.bufferId()).isNotEqualTo(xga);
        assertThat(svga.size()).as("mbochs sizes the plane as stride x height, not page-rounded").isEqualTo(800L * 4 * 600);
        guest.setMode(1024, 768);
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow().bufferId()).isEqualTo(xga);
    }

    @Test
    void sixteenBitsPerPixelOrDisabledMeansNoPlane() throws Exception {
        guest.setMode(1024, 768, 16, 0, 0);
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).isEmpty();
        guest.setMode(1024, 768);
        assertThat(plane()).isNotNull();
        guest.disable();
        assertThat(dev.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).isEmpty();
        guest.setMode(1024, 768);
        assertThat(plane().width()).as("re-enabled").isEqualTo(1024);
    }

    @Test
    void anUnknownIdIsEnoent() throws Exception {
        guest.setMode(640, 480);
        PlaneInfo p = plane();
        PlaneInfo bogus = new PlaneInfo(p.type(), p.bufferType(), p.format(), p.modifier(), p.width(), p.height(),
                p.stride(), p.size(), 0, 0, Optional.empty(), 0x7fff_fff0L);
        assertThatThrownBy(() -> dev.openDmaBuf(bogus))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue());
    }

    @Test
    void aFramebufferOffsetThatIsNotPageAlignedCannotBeExported() throws Exception {
        guest.setMode(640, 480, 32, 1, 0);
        PlaneInfo p = plane();
        assertThatThrownBy(() -> dev.openDmaBuf(p))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
    }

    @Test
    void dmaBufsRefuseCpuMapping() throws Exception {
        guest.setMode(800, 600);
        PlaneInfo p = plane();
        try (DmaBuf buf = dev.openDmaBuf(p)) {
            assertThat(buf.size()).isGreaterThanOrEqualTo(p.requiredBytes());
            assertThatThrownBy(buf::mapReadOnly)
                    .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
        }
    }

    @Test
    void anImporterReadsWhatTheGuestPainted() throws Exception {
        // 1024x768: a page-aligned size (a dma-buf mapping may not reach past size >> PAGE_SHIFT)
        guest.setMode(1024, 768);
        PlaneInfo p = plane();
        int bytes = 1024 * 4 * 768;
        try (WritableMapping vram = CoreFixture.mapRegionReadWrite(dev, VRAM); DmaBufReader reader = DmaBufReader.forTarget()) {
            ByteBuffer paint = vram.writableView(0, bytes);
            for (int i = 0; i < bytes; i += 4) {
                paint.putInt(i, i ^ 0x5a5a5a5a);
            }
            try (DmaBuf buf = dev.openDmaBuf(p)) {
                ByteBuffer seen = reader.read(buf, bytes);
                assertThat(seen.mismatch(paint.duplicate().clear())).as("first differing byte").isEqualTo(-1);
            }
        }
    }

    @Test
    void edidRegionLinkCycleAndBlob() throws Exception {
        EdidRegion edid = dev.edid().orElseThrow();
        assertThat(edid.region().index()).isEqualTo(9);
        assertThat(edid.maxSize()).isGreaterThanOrEqualTo(128);
        edid.setLinkUp(false);
        assertThat(edid.linkUp()).isFalse();
        byte[] blob = new byte[128];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (i * 7 + 1);
        }
        edid.write(blob);
        assertThat(edid.read()).containsExactly(blob);
        edid.setLinkUp(true);
        assertThat(edid.linkUp()).isTrue();
    }
}
