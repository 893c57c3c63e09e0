package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.GvtDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.testsupport.RecordingReporter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile plane answers injected under core's struct decoding, on the simulated GVT-g: each one
 * gives a typed error whose message names the field, its value and the rule; nothing crashes,
 * the session works again once the device answers sanely, and no fd, mapping or lease is left.
 */
class DmaBufHostileTest {

    final RecordingReporter reporter = new RecordingReporter();

    @BeforeAll
    static void warmUp() throws Exception {
        Warm.up();
    }

    /** A good poll of both planes, the hostile one twice, good ones again; checks the resources. */
    <E extends DeviceException> E hostile(Class<E> type, PlaneType plane, ScriptedDevice.PlaneScript script,
            int maxGets) throws Exception {
        GvtDevice sim = (GvtDevice) SimDevices.create("sim:gvt?mmap=allow");
        ScriptedDevice scripted = new ScriptedDevice(sim);
        int fds = Resources.openFds();
        var fdList = Resources.fdSnapshot();
        long mapped = Resources.mappedBytes();
        long leases = Leases.live();
        E error;
        try (GfxDevice device = new Devices().open(scripted);
                DmaBufSession s = new DmaBufSession(device, DmaBufSettings.defaults(), reporter, new AtomicLong()::get)) {
            PlaneBuffer held = s.acquire(PlaneType.PRIMARY, false).orElseThrow();
            s.acquire(PlaneType.CURSOR, false).orElseThrow().close();
            int gets = sim.dmabufGets().values().stream().mapToInt(Integer::intValue).sum();
            scripted.planes((p, a) -> {
                if (p == plane) {
                    script.rewrite(p, a);
                }
            });
            error = catchThrowableOfType(type, () -> s.acquire(plane, false));
            E again = catchThrowableOfType(type, () -> s.acquire(plane, true));
            assertThat(error).as("a " + type.getSimpleName()).isNotNull();
            assertThat(again).as("the same answer gives the same kind of error").isNotNull();
            assertThat(sim.dmabufGets().values().stream().mapToInt(Integer::intValue).sum() - gets)
                    .as("GET_GFX_DMABUF calls for the hostile answer").isLessThanOrEqualTo(maxGets);
            assertThat(held.pixels().getInt(0)).as("leases taken before stay valid").isNotNull();
            held.close();
            scripted.planes(null);
            try (PlaneBuffer b = s.acquire(plane, true).orElseThrow()) {
                assertThat(b.info().type()).as("the session recovers").isEqualTo(plane);
            }
        }
        assertThat(sim.liveFds()).as("simulated fds").isZero();
        assertThat(Resources.fdsOpenedSince(fdList)).as("fds opened and not closed").isEmpty();
        assertThat(Resources.mappedBytes()).as("mapped bytes").isEqualTo(mapped);
        assertThat(Leases.live()).as("live leases").isEqualTo(leases);
        assertThat(sim.violations()).isEmpty();
        assertThat(reporter.lines()).as("errors are thrown, not logged per poll").isEmpty();
        return error;
    }

    InvalidPlaneException invalidPrimary(ScriptedDevice.PlaneScript script) throws Exception {
        return hostile(InvalidPlaneException.class, PlaneType.PRIMARY, script, 0);
    }

    @Test
    void strideBelowWidthTimesBytesPerPixel() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.stride = 1024 * 4 - 64);
        assertThat(e.field()).isEqualTo("stride");
        assertThat(e).hasMessageContaining("stride = 4032").hasMessageContaining("stride >= width x bytes per pixel (4096");
    }

    @Test
    void sizeSmallerThanTheLayout() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.size = 4096 * 767);
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("size = 3141632").hasMessageContaining("needs 3145728");
    }

    @Test
    void dimensionsWhoseProductOverflows32Bits() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> {
            a.width = 16384;
            a.height = 4097;
            a.stride = 1 << 20;
            a.size = 1 << 22;
        });
        assertThat(e.field()).isEqualTo("size");
        assertThat(e).hasMessageContaining("needs " + ((1L << 32) + 65536));
    }

    @Test
    void unknownFormat() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.format = 0x00000007);
        assertThat(e.field()).isEqualTo("drm_format");
        assertThat(e).hasMessageContaining("drm_format = 0x00000007 (0x00000007)");
    }

    @Test
    void paletteFormatC8() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.format = DrmFormat.C8.fourcc());
        assertThat(e).hasMessageContaining("0x20203843 (C8)");
    }

    @Test
    void unknownModifier() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.modifier = 0x0100000000000009L);
        assertThat(e.field()).isEqualTo("drm_format_mod");
        assertThat(e).hasMessageContaining("0x100000000000009");
    }

    @Test
    void invalidModifierIsNeverTakenAsALayout() throws Exception {
        InvalidPlaneException e = invalidPrimary((p, a) -> a.modifier = 0x00ffffffffffffffL);
        assertThat(e).hasMessageContaining("(INVALID)");
    }

    @Test
    void hotspotOutsideTheCursor() throws Exception {
        InvalidPlaneException e = hostile(InvalidPlaneException.class, PlaneType.CURSOR, (p, a) -> {
            a.xHot = 10;
            a.yHot = 70;
        }, 0);
        assertThat(e.field()).isEqualTo("y_hot");
        assertThat(e).hasMessageContaining("y_hot = 70").hasMessageContaining("y_hot < height (64)");
    }

    @Test
    void cursorLargerThan256() throws Exception {
        InvalidPlaneException e = hostile(InvalidPlaneException.class, PlaneType.CURSOR, (p, a) -> {
            a.width = 512;
            a.stride = 2048;
            a.size = 2048 * 64;
        }, 0);
        assertThat(e).hasMessageContaining("a cursor is at most 256 wide");
    }

    @Test
    void anOpenDmabufAnsweredWithALargerLayoutIsDuplicatedAndRefusedNeverAskedForAgain() throws Exception {
        DeviceException e = hostile(DeviceException.class, PlaneType.PRIMARY, (p, a) -> {
            a.height = 1536;
            a.size = 4096 * 1536;
        }, 0);
        assertThat(e).isNotInstanceOf(InvalidPlaneException.class)
                .hasMessageContaining("holds 3145728 bytes but the layout of").hasMessageContaining("needs 6291456")
                .hasMessageContaining("already open with another layout");
    }

    @Test
    void aDmabufSmallerThanItsLayout() throws Exception {
        GvtDevice sim = (GvtDevice) SimDevices.create("sim:gvt?mmap=allow");
        ScriptedDevice scripted = new ScriptedDevice(sim);
        int fds = Resources.openFds();
        var fdList = Resources.fdSnapshot();
        long mapped = Resources.mappedBytes();
        long leases = Leases.live();
        try (GfxDevice device = new Devices().open(scripted);
                DmaBufSession s = new DmaBufSession(device, DmaBufSettings.defaults(), reporter, new AtomicLong()::get)) {
            s.acquire(PlaneType.PRIMARY, false).orElseThrow().close(); // id 1
            long cursorId = device.queryPlane(io.github.scanout.api.BufferType.DMABUF, PlaneType.CURSOR).orElseThrow()
                    .bufferId(); // GVT-g makes the cursor's 16 KiB object; the session has not opened it
            scripted.planes((p, a) -> {
                if (p == PlaneType.PRIMARY) {
                    a.bufferId = (int) cursorId; // the primary plane's layout on the cursor's buffer
                }
            });
            for (int i = 0; i < 3; i++) {
                DeviceException e = catchThrowableOfType(DeviceException.class, () -> s.acquire(PlaneType.PRIMARY, true));
                assertThat(e).hasMessageContaining("dma-buf " + cursorId).hasMessageContaining("holds 16384 bytes")
                        .hasMessageContaining("needs 3145728");
            }
            assertThat(sim.dmabufGets(cursorId)).as("asked once, then remembered").isEqualTo(1);
            scripted.planes(null);
            s.acquire(PlaneType.PRIMARY, true).orElseThrow().close();
        }
        assertThat(sim.liveFds()).as("simulated fds").isZero();
        assertThat(Resources.fdsOpenedSince(fdList)).as("fds opened and not closed").isEmpty();
        assertThat(Resources.mappedBytes()).as("mapped bytes").isEqualTo(mapped);
        assertThat(Leases.live()).as("live leases").isEqualTo(leases);
    }
}
