package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.core.Resources;
import io.github.scanout.core.fixture.CoreFixture;
import io.github.scanout.core.fixture.WritableMapping;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel's mdpy sample (region display), and the simulated model of it: same assertions. */
class MdpyE2eTest {
    static final int W = 1024, H = 768, STRIDE = 4096, SIZE = 4 << 20, REGION = 16;

    Map<Integer, String> fdsBefore;
    GfxDevice dev;

    @BeforeAll
    static void warmUp() throws Exception {
        // The first open loads classes (jar fds) and native code: keep that out of the fd counts.
        try (GfxDevice d = Target.openMdpy(); MappedMemory m = d.mapRegion(REGION)) {
            d.queryPlane(BufferType.REGION, PlaneType.PRIMARY);
        }
    }

    @BeforeEach
    void open() throws Exception {
        fdsBefore = Resources.fdSnapshot();
        dev = Target.openMdpy();
    }

    @AfterEach
    void closeAndCountFds() {
        dev.close();
        assertThat(Resources.fdsOpenedSince(fdsBefore)).as("open fds after closing the %s mdpy", Target.describe())
                .isEmpty();
    }

    @Test
    void probesRegionOnly() throws Exception {
        assertThat(dev.probe(BufferType.REGION)).isTrue();
        assertThat(dev.probe(BufferType.DMABUF)).isFalse();
    }

    @Test
    void deviceInfoIsAPciDeviceWithNineRegions() {
        assertThat(dev.info().numRegions()).isEqualTo(9);
        assertThat(dev.info().isPci()).isTrue();
    }

    @Test
    void primaryPlaneIsXga() throws Exception {
        PlaneInfo p = dev.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
        assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
        assertThat(p.modifier()).isEqualTo(Modifier.LINEAR);
        assertThat(p.width()).isEqualTo(W);
        assertThat(p.height()).isEqualTo(H);
        assertThat(p.stride()).isEqualTo(STRIDE);
        assertThat(p.size()).isEqualTo(SIZE);
        assertThat(p.bufferId()).isEqualTo(REGION);
    }

    @Test
    void aCursorQueryAnswersWithThePrimaryPlaneWhichTheValidatorRefuses() {
        assertThatThrownBy(() -> dev.queryPlane(BufferType.REGION, PlaneType.CURSOR))
                .isInstanceOf(InvalidPlaneException.class)
                .hasMessageContaining("width");
    }

    @Test
    void displayRegionLiesAboveNumRegions() throws Exception {
        RegionInfo r = dev.regionInfo(REGION);
        assertThat(r.readable()).isTrue();
        assertThat(r.writable()).isTrue();
        assertThat(r.mappable()).isTrue();
        assertThat(r.size()).isEqualTo(SIZE);
        assertThat(r.offset()).isEqualTo(0x1000);
    }

    @Test
    void whatTheGuestPaintsIsWhatAReadOnlyMappingShows() throws Exception {
        try (WritableMapping rw = CoreFixture.mapRegionReadWrite(dev, REGION); MappedMemory ro = dev.mapRegion(REGION)) {
            ByteBuffer paint = rw.writableView(0, STRIDE * H);
            for (int y = 0; y < H; y += 7) {
                for (int x = 0; x < W; x += 13) {
                    paint.putInt(y * STRIDE + 4 * x, (int) (x * 31L + y * 7919L));
                }
            }
            ByteBuffer seen = ro.view(0, STRIDE * H);
            for (int y = 0; y < H; y += 7) {
                for (int x = 0; x < W; x += 13) {
                    assertThat(seen.getInt(y * STRIDE + 4 * x)).isEqualTo(paint.getInt(y * STRIDE + 4 * x));
                }
            }
        }
    }

    @Test
    void aReadOnlyMappingCannotBeWritten() throws Exception {
        try (MappedMemory ro = dev.mapRegion(REGION)) {
            assertThat(ro.view(0, 16).isReadOnly()).isTrue();
            assertThat(ro.size()).isEqualTo(SIZE);
        }
    }
}
