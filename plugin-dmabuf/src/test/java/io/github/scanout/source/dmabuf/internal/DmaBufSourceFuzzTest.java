package io.github.scanout.source.dmabuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Resources;
import io.github.scanout.sim.GvtDevice;
import io.github.scanout.sim.MbochsDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.sim.ViolationPolicy;
import io.github.scanout.testsupport.DeviceFuzz;
import io.github.scanout.testsupport.FuzzBytes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the dma-buf plane source ({@link DmaBufSession}) over a simulated GVT-g or mbochs
 * opened through core, where every answer the session depends on comes from the fuzzer: plane
 * fields ({@link ScriptedDevice#planes}), failed {@code GET_GFX_DMABUF} calls
 * ({@link ScriptedDevice#failGetDmabuf}), errnos on device ioctls ({@code failNext}), the size a
 * dma-buf reports ({@code lseek(SEEK_END)}, rewritten under core), guest mode changes, tiling,
 * flips and cursor moves, the device vanishing, and the clock.
 *
 * <p>Input: byte 0: device (GVT-g or mbochs; CPU mapping allowed or refused), and whether and how
 * often the operations are played again ({@link DeviceFuzz.Script}: a short input scripts a long
 * session of mode changes, id reuse and errors in the middle); then operations of one byte plus
 * arguments (see {@link #session}).
 *
 * <p>Contract: a poll gives a buffer whose CPU bytes (when it has any) cover its validated
 * layout, nothing, or a {@link DeviceException} (an {@link InvalidPlaneException} names a field);
 * nothing else escapes. When everything is closed, every simulated fd, mapping and lease is back
 * (every {@value #FULL_CHECK_EVERY}th run, every fd of the process too) and the
 * simulated driver saw no rule broken (no use-after-free GET_GFX_DMABUF).
 */
class DmaBufSourceFuzzTest {

    @BeforeAll
    static void warmUp() throws Exception {
        Warm.up();
    }

    @FuzzTest(maxDuration = "30s")
    void session(byte[] data) throws Exception {
        FuzzBytes in = new FuzzBytes(data);
        int b0 = in.u8();
        boolean gvt = (b0 & 1) == 0;
        String spec = (gvt ? "sim:gvt" : "sim:mbochs?type=small&mode=640x480") + ((b0 & 2) == 0 ? "&mmap=allow" : "&mmap=refuse");
        SimDevice sim = SimDevices.create(gvt ? spec.replaceFirst("&", "?") : spec, false);
        // A scripted answer can name a live dma-buf id with other fields, which the real drivers never
        // do; the sim then records a violation and fails the call (EEXIST) instead of throwing.
        sim.setViolationPolicy(ViolationPolicy.ERRNO);
        boolean scriptedPlanes = false;
        ScriptedDevice scripted = new ScriptedDevice(sim);
        long[] dmabufSize = {-1};
        DeviceEndpoint endpoint = sizes(scripted, dmabufSize);
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        boolean fullCheck = ++runs % FULL_CHECK_EVERY == 0;
        Resources.Usage before = fullCheck ? Resources.usage() : null;
        long[] counts = {Resources.mappedBytes(), Resources.liveMappings(), io.github.scanout.api.buffer.Leases.live()};
        DeviceFuzz.Script script = new DeviceFuzz.Script(in, b0);
        Deque<PlaneBuffer> held = new ArrayDeque<>();
        try (GfxDevice device = new Devices(List.of()).open(endpoint);
                DmaBufSession s = new DmaBufSession(device, DmaBufSettings.defaults(), (level, message) -> {}, clock::get)) {
            while (script.next()) {
                switch (in.u8() % 14) {
                    case 0 -> {
                        scripted.planes(planeScript(in));
                        scriptedPlanes = true;
                    }
                    case 1 -> scripted.planes(null);
                    case 2 -> scripted.failGetDmabuf(in.u8() % 4, DeviceFuzz.errno(in, DeviceFuzz.DMABUF_ERRNOS));
                    case 3 -> sim.failNext(in.u8() % 4, DeviceFuzz.errno(in, DeviceFuzz.DMABUF_ERRNOS));
                    case 4 -> dmabufSize[0] = in.bool() ? -1 : (in.bool() ? in.u64() : in.u32() & 0xffff_ffffL);
                    case 5 -> {
                        if (!held.isEmpty()) {
                            held.removeFirst().close();
                        }
                    }
                    case 6 -> clock.addAndGet(in.u16() * 1_000_000L);
                    case 7 -> s.reset();
                    case 8 -> guest(sim, in);
                    case 9 -> {
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
        assertThat(sim.liveFds()).as("simulated fds").isZero();
        assertThat(new long[] {Resources.mappedBytes(), Resources.liveMappings(), io.github.scanout.api.buffer.Leases.live()})
                .as("mapped bytes, mappings and leases left").containsExactly(counts);
        if (fullCheck) {
            assertThat(Resources.leaksSince(before)).as("fds, mappings and leases left").isEmpty();
        }
        if (!scriptedPlanes) {
            assertThat(sim.violations()).as("driver rules broken").isEmpty();
        }
    }

    /** Every this many runs the process's whole fd table is compared too (reading /proc costs more than a run). */
    static final int FULL_CHECK_EVERY = 64;
    private static int runs;

    /** What the guest does between polls: modes, formats, tiling, flips, the cursor. */
    static void guest(SimDevice sim, FuzzBytes in) {
        int op = in.u8();
        if (sim instanceof GvtDevice g) {
            switch (op % 8) {
                case 0 -> g.setMode(64 + in.u16() % 2000, 64 + in.u16() % 1200);
                case 1 -> g.setFormat(in.pick(DrmFormat.XRGB8888, DrmFormat.ARGB8888, DrmFormat.XBGR8888, DrmFormat.RGB565));
                case 2 -> g.setTiling(in.pick(Modifier.LINEAR, Modifier.I915_X_TILED, Modifier.I915_Y_TILED));
                case 3 -> g.flip();
                case 4 -> g.moveCursor((short) in.u16(), (short) in.u16());
                case 5 -> g.showCursor(in.bool());
                case 6 -> g.disablePlane();
                default -> g.enablePlane();
            }
        } else if (sim instanceof MbochsDevice m) {
            switch (op % 4) {
                case 0 -> m.guest().setMode(in.u16() % 2100, in.u16() % 1700);
                case 1 -> m.guest().pan(in.u16() % 64, in.u16() % 64);
                case 2 -> m.guest().setVirtualSize(in.u16() % 4096, in.u16() % 4096);
                default -> m.guest().disable();
            }
        }
    }

    static void poll(DmaBufSession s, PlaneType plane, boolean consistent, Deque<PlaneBuffer> held) {
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
        if (b.cpuReadable()) {
            assertThat((long) b.pixels().capacity()).as("bytes of %s", info).isGreaterThanOrEqualTo(info.requiredBytes());
            if (info.modifier().isLinear()) {
                int[] row = new int[info.width()];
                PixelConverter.convertRow(info, b.pixels(), info.height() - 1, row, 0);
                PixelConverter.convertRow(info, b.pixels(), 0, row, 0);
            }
        } else {
            assertThat(b.dmaBuf()).as("a buffer without CPU bytes carries its dma-buf").isPresent();
        }
        held.addLast(b);
        if (held.size() > 3) {
            held.removeFirst().close();
        }
    }

    /**
     * The endpoint with {@code lseek(fd, 0, SEEK_END)} on fds other than the device's (the
     * dma-bufs) answering {@code size[0]} when it is not -1.
     */
    static DeviceEndpoint sizes(DeviceEndpoint inner, long[] size) {
        return new DeviceEndpoint() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public OpenDevice open(Kernel host) throws DeviceException {
                OpenDevice od = inner.open(host);
                Kernel wrapped = new ForwardingKernel(od.kernel()) {
                    @Override
                    public long lseek(int fd, long offset, int whence) throws DeviceException {
                        if (fd != od.fd() && whence == Linux.SEEK_END && size[0] != -1) {
                            return size[0];
                        }
                        return super.lseek(fd, offset, whence);
                    }
                };
                return new OpenDevice(wrapped, od.fd());
            }
        };
    }

    /** Replaces the answer fields chosen by the input ({@link DeviceFuzz.PlaneFields}). */
    static ScriptedDevice.PlaneScript planeScript(FuzzBytes in) {
        DeviceFuzz.PlaneFields fields = DeviceFuzz.PlaneFields.read(in);
        return (plane, a) -> fields.apply(plane, a::set);
    }
}
