package io.github.scanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.Resources;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.sim.GvtDevice;
import io.github.scanout.sim.MbochsDevice;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import io.github.scanout.source.dmabuf.DmaBufSources;
import io.github.scanout.source.region.RegionSources;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak: 100,000 frames (system property {@code scanout.soak.frames}) from three simulated
 * vGPUs through the real plane sources and the real pipeline: every 100 frames one of GVT-g
 * (dma-buf, moving cursor) and mbochs (dma-buf) changes mode, in turn; mdpy streams its region; transient EAGAINs are
 * injected four times a second; each device swaps a visiting sink twice a second (CPU snapshot,
 * live CPU view, or any buffer, in turn). At the end, with every pipeline closed: open fds, mapped
 * bytes, live mappings and live leases are exactly where they started, no Scanout thread is left,
 * the JVM has no more threads than at the start, and the heap after GC is within
 * {@value #HEAP_TOLERANCE_MIB} MiB of the start (see {@link #HEAP_TOLERANCE_MIB}).
 */
@Tag("soak")
class SoakTest {
    static final long FRAMES = Long.getLong("scanout.soak.frames", 100_000);
    static final int MODE_EVERY = 100;
    /**
     * The heap after GC may grow by this much: class metadata is not heap, but the first use of
     * code paths fills caches that stay (string concatenation bootstraps, reflection data, the
     * JDK's logging), which measured a few MiB here. A leak of one frame per mode change (1,000 of
     * at least 300 KiB) or of one 100-byte object per frame (10 MB) is above it.
     */
    static final int HEAP_TOLERANCE_MIB = 8;
    static final int[][] MODES = {{640, 480}, {320, 240}, {800, 600}, {400, 300}, {512, 384}};
    static final Duration MAX_TIME = Duration.ofMinutes(25);

    /** Counts frames, touches the first and last byte the plane layout says exist, checks sequences. */
    static final class CheckingSink implements FrameSink {
        final SinkNeeds needs;
        final LongAdder frames = new LongAdder();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        long lastSequence = -1;

        CheckingSink(SinkNeeds needs) {
            this.needs = needs;
        }

        @Override
        public SinkNeeds needs() {
            return needs;
        }

        @Override
        public void frame(Frame frame) {
            if (frame.sequence() <= lastSequence) {
                problems.add("sequence " + frame.sequence() + " after " + lastSequence);
            }
            lastSequence = frame.sequence();
            PlaneBuffer b = frame.primary();
            PlaneInfo info = b.info();
            if (b.cpuReadable()) {
                ByteBuffer px = b.pixels();
                long need = (long) info.stride() * (info.height() - 1) + (long) info.width() * info.format().bytesPerPixel();
                if (px.remaining() < need) {
                    problems.add("a " + info.width() + "x" + info.height() + " frame with " + px.remaining() + " bytes");
                } else {
                    px.get(px.position());
                    px.get(px.position() + (int) need - 1);
                }
            }
            frames.increment();
        }
    }

    record Rig(String spec, SimDevice sim, Pipeline pipeline, CheckingSink steady, List<SinkHandle> visitors) {}

    @Test
    void aHundredThousandFramesWithModeChangesErrorsAndHotSwapsLeaveNothingBehind() throws Exception {
        Logger.getLogger("io.github.scanout").setLevel(Level.WARNING);
        SimDeviceProvider provider = new SimDeviceProvider();
        Devices devices = new Devices(List.of(provider));
        List<PlaneSource> sources = List.of(DmaBufSources.create(), RegionSources.create());

        // A warm-up through every mode: the simulated guests' memory (kept on the heap while no
        // one has the device open, as a real mdev keeps its memory) and the JDK's lazily filled
        // caches exist from then on, so the baseline counts only what Scanout holds.
        Phase warmUp = run(provider, devices, sources, 3_000);
        System.out.println("soak: warm-up " + warmUp);
        settle();
        Snapshot start = Snapshot.take();
        System.out.println("soak: start " + start);

        Phase soak = run(provider, devices, sources, FRAMES);
        System.out.println("soak: " + soak);
        assertThat(soak.problems).as("what the sinks saw").isEmpty();
        assertThat(soak.frames).isGreaterThanOrEqualTo(FRAMES);
        // the driver looks every 2 ms, so changes come 100 to about 110 frames apart
        assertThat(soak.modeChanges).isGreaterThanOrEqualTo(FRAMES / MODE_EVERY * 9 / 10);

        settle();
        Snapshot end = Snapshot.take();
        System.out.println("soak: end   " + end);
        assertThat(end.scanoutThreads).as("scanout threads left").isEmpty();
        assertThat(end.fds).as("open fds").isEqualTo(start.fds);
        assertThat(end.mappedBytes).as("mapped bytes").isEqualTo(start.mappedBytes);
        assertThat(end.mappings).as("live mappings").isEqualTo(start.mappings);
        assertThat(end.leases).as("live leases").isEqualTo(start.leases);
        assertThat(end.threads).as("JVM threads").isLessThanOrEqualTo(start.threads);
        assertThat(end.heapMiB).as("heap after GC, MiB").isLessThanOrEqualTo(start.heapMiB + HEAP_TOLERANCE_MIB);
    }

    record Phase(long frames, double seconds, long modeChanges, long swaps, long injected, List<String> problems) {
        @Override
        public String toString() {
            return String.format("%d frames in %.1f s, %d mode changes, %d sink hot-swaps, %d injected EAGAINs",
                    frames, seconds, modeChanges, swaps, injected);
        }
    }

    /** Runs the three devices until {@code frames} frames reached the steady sinks; closes everything. */
    static Phase run(SimDeviceProvider provider, Devices devices, List<PlaneSource> sources, long frames)
            throws Exception {
        String[] specs = {"sim:gvt?mmap=allow", "sim:mbochs?mode=640x480&mmap=allow", "sim:mdpy-vga"};
        List<Rig> rigs = new ArrayList<>();
        for (String spec : specs) {
            SimDevice sim = provider.device(spec);
            AtomicLong clock = new AtomicLong();
            sim.setClock(() -> clock.addAndGet(17_000_000)); // every query is a new 60 Hz frame
            sim.setAnimate(true);
            setMode(sim, MODES[0]);
            Pipeline p = Pipeline.builder(spec).open(devices, spec).sources(sources)
                    .options(PipelineOptions.defaults().withMaxRate(1000)).build();
            CheckingSink steady = new CheckingSink(new SinkNeeds(true, false, Set.of(), 0));
            p.attach(steady, "steady");
            rigs.add(new Rig(spec, sim, p, steady, new ArrayList<>()));
        }

        long t0 = System.nanoTime();
        long deadline = t0 + MAX_TIME.toNanos();
        long framesAtModeChange = 0;
        long modeChanges = 0;
        long swaps = 0;
        long injected = 0;
        long nextSwap = t0;
        long nextError = t0;
        long nextReport = t0 + 10_000_000_000L;
        int tick = 0;
        while (total(rigs) < frames) {
            assertThat(System.nanoTime()).as("the soak finished within " + MAX_TIME).isLessThan(deadline);
            long now = System.nanoTime();
            long sum = total(rigs);
            if (sum - framesAtModeChange >= MODE_EVERY) {
                // every 100 frames the next of the two devices whose guest can change mode does
                Rig r = rigs.get((int) (modeChanges % 2));
                setMode(r.sim, MODES[(int) (modeChanges / 2 + 1) % MODES.length]);
                framesAtModeChange = sum;
                modeChanges++;
            }
            if (now - nextError >= 0) {
                rigs.get(tick % rigs.size()).sim.failNext(1, Errno.EAGAIN);
                injected++;
                nextError = now + 250_000_000L;
            }
            if (now - nextSwap >= 0) {
                for (Rig r : rigs) {
                    SinkNeeds[] kinds = {SinkNeeds.cpuSnapshots(), new SinkNeeds(true, false, Set.of(), 0),
                            new SinkNeeds(false, false, Set.of(), 30)};
                    CheckingSink visitor = new CheckingSink(kinds[(int) (swaps % kinds.length)]);
                    r.visitors.add(r.pipeline.attach(visitor, "visitor-" + swaps));
                    if (r.visitors.size() > 1) {
                        SinkHandle old = r.visitors.remove(0);
                        assertThat(old.detach(Duration.ofSeconds(5))).as("detach of " + old.name()).isTrue();
                    }
                    swaps++;
                }
                nextSwap = now + 500_000_000L;
            }
            if (now - nextReport >= 0) {
                System.out.printf("soak: %d frames after %d s%n", total(rigs), (now - t0) / 1_000_000_000L);
                nextReport = now + 10_000_000_000L;
            }
            tick++;
            Thread.sleep(2);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<String> problems = new ArrayList<>();
        for (Rig r : rigs) {
            PipelineStats st = r.pipeline.stats();
            System.out.println("soak: " + st);
            problems.addAll(r.steady.problems);
            for (SinkHandle h : r.visitors) {
                h.close();
            }
            r.pipeline.close();
            setMode(r.sim, MODES[0]);
            r.sim.setAnimate(false);
            if (r.sim instanceof GvtDevice g) {
                System.out.println("soak: gvt buffer objects " + g.bufferObjects());
            }
        }
        return new Phase(total(rigs), seconds, modeChanges, swaps, injected, problems);
    }

    /** The guest sets a mode; false for mdpy, whose mode is fixed. */
    static boolean setMode(SimDevice sim, int[] mode) {
        if (sim instanceof GvtDevice g) {
            g.setMode(mode[0], mode[1]);
            return true;
        }
        if (sim instanceof MbochsDevice mb) {
            mb.guest().setMode(mode[0], mode[1]);
            return true;
        }
        return false;
    }

    static long total(List<Rig> rigs) {
        long n = 0;
        for (Rig r : rigs) {
            n += r.steady.frames.sum();
        }
        return n;
    }

    /** Waits until no Scanout thread is left and every lease is back, then collects garbage. */
    static void settle() throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until && (!Snapshot.liveScanoutThreads().isEmpty() || Leases.live() != 0)) {
            Thread.sleep(20);
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    record Snapshot(int fds, long mappedBytes, long mappings, long leases, int threads, long heapMiB,
            List<String> scanoutThreads) {
        static Snapshot take() {
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            return new Snapshot(Resources.openFds(), Resources.mappedBytes(), Resources.liveMappings(), Leases.live(),
                    ManagementFactory.getThreadMXBean().getThreadCount(), heap, liveScanoutThreads());
        }

        static List<String> liveScanoutThreads() {
            List<String> names = new ArrayList<>();
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                if (e.getKey().getName().startsWith("scanout-")) {
                    names.add(e.getKey().getName());
                }
            }
            return names;
        }

        @Override
        public String toString() {
            return "fds " + fds + ", mapped bytes " + mappedBytes + " in " + mappings + " mappings, leases " + leases
                    + ", threads " + threads + ", heap after GC " + heapMiB + " MiB";
        }
    }
}
