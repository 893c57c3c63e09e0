package io.github.scanout.source.region.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.MdpyDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.testsupport.DeviceFuzz;
import io.github.scanout.testsupport.FuzzBytes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the region plane source ({@link RegionSession}) over a simulated mdpy opened through
 * core, where every answer the session depends on comes from the fuzzer: plane fields
 * ({@link ScriptedDevice#planes}), region flags and sizes ({@link ScriptedDevice#regions}),
 * injected errnos ({@code failNext}), the device vanishing, and the clock.
 *
 * <p>Input: byte 0: mdpy type, whether cursors are queried, and whether and how often the
 * operations are played again ({@link DeviceFuzz.Script}: long sessions from short inputs); then operations of one byte plus
 * arguments: a plane script (a 16-bit mask of the answer fields to replace, then each chosen
 * value), a region script (index, flags, size), no scripts, failures (count, errno), a poll
 * (plane, consistent), release the oldest held lease, clock step, reset, vanish.
 *
 * <p>Contract: a poll gives a buffer whose bytes cover its validated layout (its last row
 * converts), nothing, or a {@link DeviceException} (an {@link InvalidPlaneException} names a
 * field); nothing else escapes. When everything is closed, every simulated fd, mapping and lease
 * is back (and every {@value #FULL_CHECK_EVERY}th run, every fd of the process). One simulated
 * mdpy per type serves every run (revived and with no failure armed at its start): creating one
 * cost more than the run.
 */
class RegionSourceFuzzTest {

    @BeforeAll
    static void warmUp() throws Exception {
        Warm.up();
    }

    @FuzzTest(maxDuration = "30s")
    void session(byte[] data) throws Exception {
        FuzzBytes in = new FuzzBytes(data);
        int b0 = in.u8();
        MdpyDevice sim = device(MdpyDevice.Type.values()[(b0 & 3) % 3]);
        boolean queryCursor = (b0 & 4) != 0;
        ScriptedDevice scripted = new ScriptedDevice(sim);
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        boolean fullCheck = ++runs % FULL_CHECK_EVERY == 0;
        Resources.Usage before = fullCheck ? Resources.usage() : null;
        long[] counts = {Resources.mappedBytes(), Resources.liveMappings(), io.github.scanout.api.buffer.Leases.live()};
        DeviceFuzz.Script script = new DeviceFuzz.Script(in, b0);
        Deque<PlaneBuffer> held = new ArrayDeque<>();
        try (GfxDevice device = new Devices(List.of()).open(scripted);
                RegionSession s = new RegionSession(device, RegionSettings.defaults().withQueryCursor(queryCursor),
                        (level, message) -> {}, clock::get)) {
            while (script.next()) {
                switch (in.u8() % 10) {
                    case 0 -> scripted.planes(planeScript(in));
                    case 1 -> scripted.regions(regionScript(in));
                    case 2 -> {
                        scripted.planes(null);
                        scripted.regions(null);
                    }
                    case 3 -> sim.failNext(in.u8() % 4, DeviceFuzz.errno(in, DeviceFuzz.REGION_ERRNOS));
                    case 4 -> {
                        if (held.size() > 0) {
                            held.removeFirst().close();
                        }
                    }
                    case 5 -> clock.addAndGet(in.u16() * 1_000_000L);
                    case 6 -> s.reset();
                    case 7 -> {
                        if (in.u8() == 0x5a) {
                            sim.vanish();
                        }
                    }
                    default -> poll(s, in.bool() ? PlaneType.CURSOR : PlaneType.PRIMARY, in.bool(), held);
                }
            }
        } finally {
            held.forEach(PlaneBuffer::close);
        }
        assertThat(sim.liveFds()).as("simulated fds left").isZero();
        assertThat(new long[] {Resources.mappedBytes(), Resources.liveMappings(), io.github.scanout.api.buffer.Leases.live()})
                .as("mapped bytes, mappings and leases left").containsExactly(counts);
        if (fullCheck) {
            assertThat(Resources.leaksSince(before)).as("fds, mappings and leases left").isEmpty();
        }
    }

    /** Every this many runs the process's whole fd table is compared too (reading /proc costs more than a run). */
    static final int FULL_CHECK_EVERY = 64;
    private static int runs;
    /** One simulated mdpy per type for every run (creating one draws its whole VRAM); each run starts it afresh. */
    private static final java.util.Map<MdpyDevice.Type, MdpyDevice> DEVICES = new java.util.EnumMap<>(MdpyDevice.Type.class);

    static MdpyDevice device(MdpyDevice.Type type) {
        MdpyDevice d = DEVICES.computeIfAbsent(type, MdpyDevice::create);
        d.reappear();
        d.failNext(0, io.github.scanout.api.Errno.EIO);
        return d;
    }

    static void poll(RegionSession s, PlaneType plane, boolean consistent, Deque<PlaneBuffer> held) {
        PlaneBuffer b;
        try {
            b = s.acquire(plane, consistent).orElse(null);
        } catch (InvalidPlaneException e) {
            assertThat(e.field()).isNotBlank();
            assertThat(e.getMessage()).contains(e.field());
            return;
        } catch (DeviceException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        if (b == null) {
            return;
        }
        PlaneInfo info = b.info();
        assertThat(info.type()).isEqualTo(plane);
        assertThat(info.width()).isPositive();
        assertThat(info.height()).isPositive();
        if (b.cpuReadable()) {
            assertThat((long) b.pixels().capacity()).as("bytes of %s", info).isGreaterThanOrEqualTo(info.requiredBytes());
            if (info.modifier().isLinear()) {
                int[] row = new int[info.width()];
                PixelConverter.convertRow(info, b.pixels(), info.height() - 1, row, 0);
                PixelConverter.convertRow(info, b.pixels(), 0, row, 0);
            }
        }
        held.addLast(b);
        if (held.size() > 3) {
            held.removeFirst().close();
        }
    }

    /** Replaces the answer fields chosen by the input ({@link DeviceFuzz.PlaneFields}). */
    static ScriptedDevice.PlaneScript planeScript(FuzzBytes in) {
        DeviceFuzz.PlaneFields fields = DeviceFuzz.PlaneFields.read(in);
        return (plane, a) -> fields.apply(plane, a::set);
    }

    /** Rewrites one region's (or every region's) flags and size. */
    static ScriptedDevice.RegionScript regionScript(FuzzBytes in) {
        int index = in.u8();
        int flags = in.u8() & 0xf;
        long size = in.bool() ? in.u64() : in.u32() & 0xffff_ffffL;
        boolean setFlags = in.bool();
        return r -> {
            if (index == 255 || r.index == index) {
                r.size = size;
                if (setFlags) {
                    r.flags = flags;
                }
            }
        };
    }
}
