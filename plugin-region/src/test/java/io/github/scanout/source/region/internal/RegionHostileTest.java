package io.github.scanout.source.region.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.MdpyDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.testsupport.LeakCheck;
import io.github.scanout.testsupport.RecordingReporter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile plane answers injected under core's struct decoding: each one gives a typed error
 * whose message names the field, its value and the rule; nothing crashes, the session keeps
 * working once the device answers sanely again, and no fd, mapping or lease is left behind.
 */
class RegionHostileTest {

    final RecordingReporter reporter = new RecordingReporter();
    final AtomicLong clock = new AtomicLong();

    /** Every test, whatever it checks itself: no fd, mapping or lease is left. */
    @RegisterExtension
    final LeakCheck<Resources.Usage> leaks = LeakCheck.of(Resources::usage, Resources::leaksSince);

    @BeforeAll
    static void warmUp() throws Exception {
        Warm.up();
    }

    /** Runs a good poll, the hostile one twice, a good one again; checks the error and the resources. */
    InvalidPlaneException hostile(boolean queryCursor, PlaneType plane, ScriptedDevice.PlaneScript script,
            ScriptedDevice.RegionScript regions) throws Exception {
        MdpyDevice sim = MdpyDevice.create(MdpyDevice.Type.XGA);
        ScriptedDevice scripted = new ScriptedDevice(sim);
        InvalidPlaneException error;
        try (GfxDevice device = new Devices().open(scripted);
                RegionSession s = new RegionSession(device, RegionSettings.defaults().withQueryCursor(queryCursor),
                        reporter, clock::get)) {
            PlaneBuffer held = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
            scripted.planes(script);
            scripted.regions(regions);
            error = catchThrowableOfType(InvalidPlaneException.class, () -> s.acquire(plane, false));
            InvalidPlaneException again = catchThrowableOfType(InvalidPlaneException.class, () -> s.acquire(plane, true));
            assertThat(again).as("the same answer gives the same error").hasMessage(error.getMessage());
            assertThat(held.pixels().getInt(0)).as("leases taken before stay valid").isNotNull();
            held.close();
            scripted.planes(null);
            scripted.regions(null);
            try (PlaneBuffer b = s.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                assertThat(b.info().width()).as("the session recovers").isEqualTo(1024);
            }
        }
        assertThat(leaks.leaksSoFar()).as("fds, mappings and leases left").isEmpty();
        assertThat(reporter.lines()).as("errors are thrown, not logged per poll").isEmpty();
        return error;
    }

    InvalidPlaneException hostilePrimary(ScriptedDevice.PlaneScript script) throws Exception {
        return hostile(false, PlaneType.PRIMARY, script, null);
    }

    @Test
    void strideBelowWidthTimesBytesPerPixel() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> a.stride = 1024 * 4 - 4);
        assertThat(e.field()).isEqualTo("stride");
        assertThat(e).hasMessageContaining("stride = 4092").hasMessageContaining("stride >= width x bytes per pixel (4096");
    }

    @Test
    void sizeBeyondTheRegion() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> a.size = 8 << 20);
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("size = 8388608")
                .hasMessageContaining("size <= the size of region 16 (4194304 bytes)");
    }

    /**
     * A region too small for the plane. Region info is read once per open (and again after a
     * reset: core caches it per index), so the small region is the device's from the start, and a
     * plane is always checked against the region as it was mapped.
     */
    @Test
    void regionSmallerThanThePlane() throws Exception {
        MdpyDevice sim = MdpyDevice.create(MdpyDevice.Type.XGA);
        ScriptedDevice scripted = new ScriptedDevice(sim);
        scripted.regions(r -> {
            if (r.index == 16) {
                r.size = 1 << 20;
            }
        });
        InvalidPlaneException e;
        try (GfxDevice device = new Devices().open(scripted);
                RegionSession s = new RegionSession(device, RegionSettings.defaults(), reporter, clock::get)) {
            e = catchThrowableOfType(InvalidPlaneException.class, () -> s.acquire(PlaneType.PRIMARY, false));
            InvalidPlaneException again = catchThrowableOfType(InvalidPlaneException.class,
                    () -> s.acquire(PlaneType.PRIMARY, true));
            assertThat(again).as("the same answer gives the same error").hasMessage(e.getMessage());
        }
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("size = 4194304").hasMessageContaining("(1048576 bytes)");
        assertThat(leaks.leaksSoFar()).as("fds, mappings and leases left").isEmpty();
        assertThat(reporter.lines()).as("errors are thrown, not logged per poll").isEmpty();
    }

    @Test
    void layoutThatFitsOnlyWhenComputedIn32Bits() throws Exception {
        // stride x (height - 1) = 2^20 x 4096 = 2^32: wraps to 0 in 32-bit arithmetic
        InvalidPlaneException e = hostilePrimary((p, a) -> {
            a.width = 16384;
            a.height = 4097;
            a.stride = 1 << 20;
        });
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("needs " + ((1L << 32) + 16384 * 4));
    }

    @Test
    void dimensionsWhoseProductOverflows32Bits() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> {
            a.width = 16384;
            a.height = 16384;
            a.stride = 1 << 20;
            a.size = -4096; // 0xfffff000
        });
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("size = 4294963200").hasMessageContaining("needs " + ((1L << 34) - (1 << 20) + 65536));
    }

    @Test
    void unknownFormat() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> a.format = 0x5a5a5a5a);
        assertThat(e.field()).isEqualTo("drm_format");
        assertThat(e).hasMessageContaining("0x5a5a5a5a (ZZZZ)").hasMessageContaining("format must be one of");
    }

    @Test
    void paletteFormatC8() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> {
            a.format = DrmFormat.C8.fourcc();
            a.stride = 1024;
        });
        assertThat(e.field()).isEqualTo("drm_format");
        assertThat(e).hasMessageContaining("0x20203843 (C8)").hasMessageContaining("no palette");
    }

    @Test
    void hotspotOutsideTheCursor() throws Exception {
        InvalidPlaneException e = hostile(true, PlaneType.CURSOR, (p, a) -> {
            if (p == PlaneType.CURSOR) {
                a.format = DrmFormat.ARGB8888.fourcc();
                a.width = 64;
                a.height = 64;
                a.stride = 256;
                a.size = 64 * 256;
                a.xHot = 64;
                a.yHot = 0;
            }
        }, null);
        assertThat(e.field()).isEqualTo("x_hot");
        assertThat(e).hasMessageContaining("x_hot = 64").hasMessageContaining("x_hot < width (64)");
    }

    @Test
    void regionIndexThatDoesNotExist() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> a.bufferId = 12);
        assertThat(e.field()).isEqualTo("region_index");
        assertThat(e).hasMessageContaining("region_index = 12").hasMessageContaining("EINVAL");
    }

    @Test
    void regionIndexOfARegionThatCannotBeRead() throws Exception {
        InvalidPlaneException e = hostilePrimary((p, a) -> a.bufferId = 1); // mdpy: BAR1, size 0, no flags
        assertThat(e.field()).isEqualTo("region_index");
        assertThat(e).hasMessageContaining("region_index = 1").hasMessageContaining("readable");
    }
}
