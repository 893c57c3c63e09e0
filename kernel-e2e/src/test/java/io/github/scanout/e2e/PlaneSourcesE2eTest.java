package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.Resources;
import io.github.scanout.core.fixture.CoreFixture;
import io.github.scanout.core.fixture.WritableMapping;
import io.github.scanout.source.dmabuf.DmaBufSources;
import io.github.scanout.source.region.RegionSources;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Scanout's plane sources against the kernel drivers (and the models): the test paints as the
 * guest, the source must deliver exactly that, with the drivers' quirks handled.
 */
class PlaneSourcesE2eTest {

    @Test
    void regionSourceDeliversWhatTheMdpyGuestPainted() throws Exception {
        Map<Integer, String> fds = Resources.fdSnapshot();
        long leases = Leases.live();
        try (GfxDevice dev = Target.openMdpy()) {
            PlaneSource source = RegionSources.create();
            assertThat(source.probe(dev)).isTrue();
            try (WritableMapping rw = CoreFixture.mapRegionReadWrite(dev, MdpyE2eTest.REGION);
                    PlaneSession session = source.open(dev)) {
                ByteBuffer paint = rw.writableView(0, MdpyE2eTest.STRIDE * MdpyE2eTest.H);
                for (int i = 0; i < paint.capacity(); i += 4) {
                    paint.putInt(i, i * 13 + 7);
                }
                for (boolean consistent : new boolean[] {false, true}) {
                    try (PlaneBuffer b = session.acquire(PlaneType.PRIMARY, consistent).orElseThrow()) {
                        assertThat(b.memory()).isEqualTo(consistent ? MemoryKind.SNAPSHOT : MemoryKind.LIVE_MAPPING);
                        assertThat(b.pixels().mismatch(paint.duplicate().clear())).as("first differing byte").isEqualTo(-1);
                    }
                }
                assertThat(session.acquire(PlaneType.CURSOR, false)).as("region sources do not poll the cursor").isEmpty();
            }
        }
        assertThat(Leases.live()).isEqualTo(leases);
        assertThat(Resources.fdsOpenedSince(fds)).as("fds left open").isEmpty();
    }

    @Test
    void dmaBufSourceRidesOutEnomemCachesByIdentityAndDeliversThePixels() throws Exception {
        Map<Integer, String> fds = Resources.fdSnapshot();
        long leases = Leases.live();
        try (GfxDevice dev = Target.openMbochs(); DmaBufReader reader = DmaBufReader.forTarget()) {
            Dispi guest = new Dispi(dev);
            PlaneSource source = DmaBufSources.create();
            assertThat(source.probe(dev)).isTrue();
            try (WritableMapping vram = CoreFixture.mapRegionReadWrite(dev, MbochsE2eTest.VRAM);
                    PlaneSession session = source.open(dev)) {
                assertThat(session.acquire(PlaneType.PRIMARY, true)).as("no mode yet").isEmpty();

                int bytes = 1024 * 4 * 768;
                ByteBuffer paint = vram.writableView(0, bytes);
                for (int i = 0; i < bytes; i += 4) {
                    paint.putInt(i, ~i);
                }
                guest.setMode(1024, 768);
                PlaneBuffer first = pollUntilShown(session, 1024);
                long xga = first.info().bufferId();
                ByteBuffer seen = first.cpuReadable() ? first.pixels() : reader.read(first.dmaBuf().orElseThrow(), bytes);
                assertThat(seen.mismatch(paint.duplicate().clear())).as("first differing byte").isEqualTo(-1);

                try (PlaneBuffer again = session.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                    assertThat(again.info().key()).isEqualTo(first.info().key());
                }
                guest.setMode(800, 600);
                try (PlaneBuffer svga = pollUntilShown(session, 800)) {
                    assertThat(svga.info().bufferId()).isNotEqualTo(xga);
                    assertThat(svga.memory()).as("800x600 is not a whole number of pages: never CPU-mappable")
                            .isEqualTo(MemoryKind.DMABUF_FD);
                }
                guest.setMode(1024, 768);
                try (PlaneBuffer back = pollUntilShown(session, 1024)) {
                    assertThat(back.info().key()).isEqualTo(first.info().key());
                }
                first.close();
                guest.disable();
                assertThat(session.acquire(PlaneType.PRIMARY, true)).as("disabled again").isEmpty();
            }
            if (!Target.real()) {
                assertThat(Target.simMbochs().violations()).as("GET_GFX_DMABUF twice for a live id").isEmpty();
                Target.simMbochs().dmabufGets().values()
                        .forEach(n -> assertThat(n).as("GET_GFX_DMABUF calls per id").isEqualTo(1));
            }
        }
        assertThat(Leases.live()).isEqualTo(leases);
        assertThat(Resources.fdsOpenedSince(fds)).as("fds left open").isEmpty();
    }

    /**
     * mbochs answers the first query of a new mode with ENOMEM: the source backs off, showing
     * the last good frame (or nothing) meanwhile, and retries; the new mode must come.
     */
    /** Polls until the primary plane is {@code width} wide (also GlImportKernelCheck's). */
    static PlaneBuffer pollUntilShown(PlaneSession session, int width) throws Exception {
        for (int i = 0; i < 200; i++) {
            Optional<PlaneBuffer> b = session.acquire(PlaneType.PRIMARY, true);
            if (b.isPresent() && b.get().info().width() == width) {
                return b.get();
            }
            b.ifPresent(PlaneBuffer::close);
            Thread.sleep(5);
        }
        throw new AssertionError("the " + width + "-wide plane never came");
    }
}
