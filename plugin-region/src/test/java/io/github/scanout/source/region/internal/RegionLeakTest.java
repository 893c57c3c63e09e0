package io.github.scanout.source.region.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.MdpyDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.testsupport.RecordingReporter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 10,000 polls with a mode change every 50 (and a region remap every fourth mode change), live
 * views and snapshots alternating, some leases held across a poll: open fds, mapped bytes and
 * live leases come back to where they started.
 */
class RegionLeakTest {

    /** width, height, stride, fourcc, region index: all inside mdpy-vga's 2 MiB region. */
    static final int[][] MODES = {
        {640, 480, 2560, DrmFormat.XRGB8888.fourcc(), 16},
        {320, 200, 1280, DrmFormat.XRGB8888.fourcc(), 16},
        {512, 384, 2560, DrmFormat.XBGR8888.fourcc(), 16},
        {640, 480, 1280 * 2, DrmFormat.RGB565.fourcc(), 0},
        {800, 600, 3200, DrmFormat.ARGB8888.fourcc(), 0},
        {64, 64, 256, DrmFormat.XRGB8888.fourcc(), 0},
    };

    @Test
    void tenThousandPollsLeaveNothingBehind() throws Exception {
        MdpyDevice sim = MdpyDevice.create(MdpyDevice.Type.VGA);
        sim.drawTestPattern(0);
        ScriptedDevice scripted = new ScriptedDevice(sim);
        RecordingReporter reporter = new RecordingReporter();
        Warm.up();
        int fds = Resources.openFds();
        var fdList = Resources.fdSnapshot();
        long mapped = Resources.mappedBytes();
        long leases = Leases.live();
        long peakMapped = 0;
        int modeChanges = 0;
        long started = System.nanoTime();
        try (GfxDevice device = new Devices().open(scripted);
                RegionSession s = new RegionSession(device, RegionSettings.defaults(), reporter, new AtomicLong()::get)) {
            PlaneBuffer held = null;
            for (int poll = 0; poll < 10_000; poll++) {
                if (poll % 50 == 0) {
                    int[] m = MODES[modeChanges++ % MODES.length];
                    scripted.planes((plane, a) -> {
                        a.width = m[0];
                        a.height = m[1];
                        a.stride = m[2];
                        a.format = m[3];
                        a.bufferId = m[4];
                    });
                }
                PlaneBuffer b = s.acquire(PlaneType.PRIMARY, poll % 3 == 0).orElseThrow();
                int[] row = new int[b.info().width()];
                PixelConverter.convertRow(b.info(), b.pixels(), b.info().height() - 1, row, 0);
                if (poll % 7 == 0) {
                    if (held != null) {
                        held.close();
                    }
                    held = b; // kept across the next polls, and across mode changes and remaps
                } else {
                    b.close();
                }
                peakMapped = Math.max(peakMapped, Resources.mappedBytes() - mapped);
            }
            if (held != null) {
                held.close();
            }
            assertThat(s.pool(PlaneType.PRIMARY).allocations()).as("at most the held one and the current one per mode").isLessThanOrEqualTo(2L * modeChanges);
        }
        long millis = (System.nanoTime() - started) / 1_000_000L;
        System.out.printf("region leak test: 10000 polls, %d mode changes in %d ms; fds %d -> %d, mapped %d -> %d"
                + " (peak +%d), leases %d -> %d%n", modeChanges, millis, fds, Resources.openFds(), mapped,
                Resources.mappedBytes(), peakMapped, leases, Leases.live());
        assertThat(Resources.fdsOpenedSince(fdList)).as("fds opened and not closed").isEmpty();
        assertThat(Resources.mappedBytes()).as("mapped bytes").isEqualTo(mapped);
        assertThat(Leases.live()).as("live leases").isEqualTo(leases);
        assertThat(reporter.lines()).isEmpty();
    }
}
