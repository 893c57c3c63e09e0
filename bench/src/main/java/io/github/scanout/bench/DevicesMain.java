package io.github.scanout.bench;

import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.sim.fixture.RegionDevice;
import io.github.scanout.source.region.RegionSources;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code devices_1080p60_no_drop}: how many simulated 1080p60 region devices one process keeps at
 * full rate. Each device is a simulated mdpy at 1920x1080 ({@link RegionDevice}) behind its own
 * real {@link Pipeline} and the real region plane source ({@link RegionSources#create()}), with a
 * {@link StampSink} attached: a sink that does not ask for low latency, takes the live mapping and
 * reads one pixel of each frame. One guest thread changes every device's picture 60 times a second:
 * it writes the frame's number (a stamp, 24 bits) into an 8-row column at the top left, so the
 * change is cheap for the guest and seen at once by the pipeline. Frames are counted by the
 * distinct stamps a sink saw, not by deliveries (a frame delivered twice counts once, two guest
 * frames merged into one delivery count once). The pipelines poll at 120 Hz (the
 * device's {@code rate}): the guest's clock and the pipeline's are not locked, so a pipeline
 * polling at 60 Hz merges two guest frames whenever two changes fall into one period; polling at
 * twice the frame rate is what catching every frame of an unsynchronised 60 Hz guest takes. A
 * count passes when, over a 4 s window after 2 s of warm-up, every device's sink saw at
 * least 95 % of the frames the guest drew (57 of 60 per second: on a shared machine the guest
 * thread's and the capture thread's scheduling jitter merges a few frames even for one device)
 * and no sink queue dropped a frame. {@code -Dbench.verbose=true} prints each pipeline's stats.
 * Counts are
 * tried 1, 2, 4, 8, 12, 16, 24, 32, 48, 64 until one fails, then between the last pass and the
 * first failure.
 *
 * <p>Arguments: {@code [MAX]} (default 64). Prints one line per count tried, then
 * {@code VALUE devices_1080p60_no_drop <n> devices}.
 */
public final class DevicesMain {
    private DevicesMain() {}

    static final double MIN_SHARE = 0.95;
    static final double RATE = 120;

    /** Where the guest writes its stamp: column 0, rows 0 to 7. */
    static final int STAMP_ROWS = 8;

    /**
     * Counts the distinct stamps it sees: reads the stamp pixel of each frame (a live view, so no
     * copy is made for it) and counts it when it differs from the last one.
     */
    static final class StampSink implements FrameSink {
        final AtomicLong frames = new AtomicLong();
        private int last = -1;

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(true, false, Set.of(), 0);
        }

        @Override
        public void frame(Frame frame) {
            ByteBuffer px = frame.primary().pixels();
            // the last row of the column: the guest writes it last, so a frame that shows it shows the stamp whole
            int stamp = px.getInt((STAMP_ROWS - 1) * frame.primary().info().stride()) & 0xffffff;
            if (stamp != last) {
                last = stamp;
                frames.incrementAndGet();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int pass = 0;
        int fail = -1;
        for (int n : new int[] {1, 2, 4, 8, 12, 16, 24, 32, 48, 64}) {
            if (n > max) {
                break;
            }
            if (tryCount(n)) {
                pass = n;
            } else {
                fail = n;
                break;
            }
        }
        while (fail > 0 && fail - pass > 1 && fail - pass > pass / 8) {
            int mid = (pass + fail) / 2;
            if (tryCount(mid)) {
                pass = mid;
            } else {
                fail = mid;
            }
        }
        System.out.println(String.format(Locale.ROOT, "VALUE devices_1080p60_no_drop %d devices", pass));
    }

    static boolean tryCount(int n) throws Exception {
        List<RegionDevice> devices = new ArrayList<>();
        List<Pipeline> pipelines = new ArrayList<>();
        List<StampSink> sinks = new ArrayList<>();
        Devices opener = new Devices();
        ScheduledExecutorService guest = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-guest"));
        try {
            for (int i = 0; i < n; i++) {
                RegionDevice d = new RegionDevice("sim:mdpy-1080p-" + i, 1920, 1080);
                devices.add(d);
                Pipeline p = Pipeline.builder("dev" + i).device(opener.open(d))
                        .sources(List.of(RegionSources.create())).options(PipelineOptions.defaults().withMaxRate(RATE)).build();
                pipelines.add(p);
                StampSink s = new StampSink();
                sinks.add(s);
                p.attach(s, "stamps");
            }
            AtomicLong tick = new AtomicLong();
            guest.scheduleAtFixedRate(() -> {
                long t = tick.incrementAndGet();
                for (RegionDevice d : devices) {
                    d.fill(0, 0, 1, STAMP_ROWS, 0xff000000 | (int) (t & 0xffffff));
                }
            }, 0, 1_000_000_000L / 60, TimeUnit.NANOSECONDS);
            Thread.sleep(2000);
            long[] before = new long[n];
            long[] droppedBefore = new long[n];
            for (int i = 0; i < n; i++) {
                before[i] = sinks.get(i).frames.get();
                droppedBefore[i] = pipelines.get(i).stats().dropped();
            }
            long ticks0 = tick.get();
            long t0 = System.nanoTime();
            Thread.sleep(4000);
            double secs = (System.nanoTime() - t0) / 1e9;
            long guestFrames = tick.get() - ticks0;
            double minFps = Double.MAX_VALUE;
            long dropped = 0;
            for (int i = 0; i < n; i++) {
                minFps = Math.min(minFps, (sinks.get(i).frames.get() - before[i]) / secs);
                PipelineStats st = pipelines.get(i).stats();
                dropped += st.dropped() - droppedBefore[i];
            }
            if (Boolean.getBoolean("bench.verbose")) {
                for (Pipeline p : pipelines) {
                    System.out.println("  " + p.stats());
                }
            }
            boolean ok = minFps >= MIN_SHARE * guestFrames / secs && dropped == 0;
            System.out.println(String.format(Locale.ROOT,
                    "devices %d: slowest sink %.1f distinct frames/s (guest %.1f fps), %d dropped: %s", n, minFps, guestFrames / secs,
                    dropped, ok ? "full rate" : "BELOW"));
            return ok;
        } finally {
            guest.shutdownNow();
            guest.awaitTermination(5, TimeUnit.SECONDS);
            for (Pipeline p : pipelines) {
                p.close();
            }
        }
    }
}
