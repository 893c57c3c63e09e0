package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.GvtDevice;
import io.github.scanout.sim.MbochsDevice;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.testsupport.RecordingReporter;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 polls of the primary and cursor planes with a mode change every 50, on mbochs (more
 * modes than the cache holds: evictions, ENOMEM episodes, dma-bufs asked for again after their
 * fd closed) and on GVT-g (new buffer objects, reused ids, X/Y tiling, flips, a moving cursor):
 * open fds, mapped bytes and live leases come back to where they started, and no driver rule is
 * broken.
 */
class DmaBufLeakTest {

    @BeforeAll
    static void warmUp() throws Exception {
        Warm.up();
    }

    record Totals(int fds, java.util.Map<Integer, String> fdList, long mapped, long leases) {
        static Totals now() {
            return new Totals(Resources.openFds(), Resources.fdSnapshot(), Resources.mappedBytes(), Leases.live());
        }
    }

    /** Polls 10,000 times, calling {@code change} every 50 polls; returns the peak of extra mapped bytes. */
    static long run(SimDevice sim, RecordingReporter reporter, IntConsumer change) throws Exception {
        long peak = 0;
        long mapped = Resources.mappedBytes();
        try (GfxDevice device = new Devices().open(sim);
                DmaBufSession s = new DmaBufSession(device, DmaBufSettings.defaults(), reporter, System::nanoTime)) {
            PlaneBuffer held = null;
            int[] row = new int[4096];
            for (int poll = 0; poll < 10_000; poll++) {
                if (poll % 50 == 0) {
                    change.accept(poll / 50);
                }
                Optional<PlaneBuffer> p = s.acquire(PlaneType.PRIMARY, poll % 3 == 0);
                Optional<PlaneBuffer> c = s.acquire(PlaneType.CURSOR, poll % 2 == 0);
                if (p.isPresent()) {
                    PlaneBuffer b = p.get();
                    if (b.cpuReadable()) {
                        PixelConverter.convertRow(b.info(), b.pixels(), b.info().height() - 1, row, 0);
                    }
                    if (poll % 7 == 0) {
                        if (held != null) {
                            held.close();
                        }
                        held = b; // kept across the next polls, mode changes and evictions
                    } else {
                        b.close();
                    }
                }
                c.ifPresent(PlaneBuffer::close);
                peak = Math.max(peak, Resources.mappedBytes() - mapped);
            }
            if (held != null) {
                held.close();
            }
            assertThat(s.cache().size()).isLessThanOrEqualTo(DmaBufSettings.DEFAULT_CACHE_ENTRIES);
        }
        assertThat(sim.violations()).as("driver rules broken").isEmpty();
        assertThat(sim.liveFds()).as("simulated fds").isZero();
        return peak;
    }

    static void check(String what, Totals before, long peak, long millis) {
        Totals after = Totals.now();
        System.out.printf("%s: 10000 polls, 200 mode changes in %d ms; fds %d -> %d, mapped %d -> %d (peak +%d),"
                + " leases %d -> %d%n", what, millis, before.fds(), after.fds(), before.mapped(), after.mapped(), peak,
                before.leases(), after.leases());
        assertThat(Resources.fdsOpenedSince(before.fdList())).as("fds opened and not closed").isEmpty();
        assertThat(after.mapped()).as("mapped bytes").isEqualTo(before.mapped());
        assertThat(after.leases()).as("live leases").isEqualTo(before.leases());
    }

    @Test
    void mbochs() throws Exception {
        for (String spec : new String[] {"sim:mbochs?mmap=allow", "sim:mbochs"}) {
            MbochsDevice m = (MbochsDevice) SimDevices.create(spec);
            int[][] modes = {{640, 480}, {800, 600}, {1024, 768}, {320, 240}, {720, 400}, {400, 300}, {512, 384},
                {256, 192}};
            RecordingReporter reporter = new RecordingReporter();
            Totals before = Totals.now();
            long started = System.nanoTime();
            long peak = run(m, reporter, n -> {
                int[] mode = modes[n % modes.length];
                m.guest().setMode(mode[0], mode[1]);
                m.drawTestPattern(n);
            });
            check(spec, before, peak, (System.nanoTime() - started) / 1_000_000L);
            long enomem = reporter.lines().stream().filter(l -> l.contains("ENOMEM")).count();
            assertThat(enomem).as("one line per new mode").isEqualTo(modes.length);
        }
    }

    @Test
    void gvt() throws Exception {
        for (String spec : new String[] {"sim:gvt?mmap=allow", "sim:gvt"}) {
            GvtDevice g = (GvtDevice) SimDevices.create(spec);
            Modifier[] tilings = {Modifier.LINEAR, Modifier.I915_X_TILED, Modifier.I915_Y_TILED};
            DrmFormat[] formats = {DrmFormat.XRGB8888, DrmFormat.ARGB8888, DrmFormat.RGB565, DrmFormat.YUYV};
            RecordingReporter reporter = new RecordingReporter();
            Totals before = Totals.now();
            long started = System.nanoTime();
            long peak = run(g, reporter, n -> {
                switch (n % 4) {
                    case 0 -> g.setPrimary(formats[n / 4 % formats.length], tilings[n % 3], 320 + 16 * (n % 7),
                            200 + 8 * (n % 5));
                    case 1 -> g.flip();
                    case 2 -> g.moveCursor(-20 + n, 40 - n);
                    default -> g.setCursorSize(n % 8 == 3 ? 128 : 64);
                }
            });
            check(spec, before, peak, (System.nanoTime() - started) / 1_000_000L);
        }
    }
}
