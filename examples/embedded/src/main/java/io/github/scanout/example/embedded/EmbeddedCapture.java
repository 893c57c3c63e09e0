package io.github.scanout.example.embedded;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.source.dmabuf.DmaBufSources;
import io.github.scanout.source.region.RegionSources;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Scanout embedded in a plain Java process, no OSGi: the two ways in.
 * <ul>
 *   <li>{@link #snapshot}: by hand. Open a device, pick the plane source with the highest
 *       priority whose probe succeeds, take one frame, write it as a PNG.</li>
 *   <li>{@link #stream}: with a {@link Pipeline}, which does the picking, polling, change
 *       detection and fan-out on its own threads and feeds any {@link FrameSink}.</li>
 * </ul>
 * {@code java -cp ... io.github.scanout.example.embedded.EmbeddedCapture SPEC OUT.png [SECONDS]}
 *
 * <p>Threads: the static methods run on the caller's thread; a pipeline calls its sinks on their
 * own delivery threads.
 */
public final class EmbeddedCapture {
    private EmbeddedCapture() {}

    /** The plane sources Scanout ships, constructed with their default settings. */
    public static List<PlaneSource> sources() {
        return List.of(DmaBufSources.create(), RegionSources.create());
    }

    /**
     * The source to read a device with: the highest priority whose probe says yes.
     *
     * @throws DeviceException when none can read it, naming the device and the types tried
     */
    public static PlaneSource pick(GfxDevice device, List<PlaneSource> sources) throws DeviceException {
        List<PlaneSource> ranked = sources.stream().sorted(Comparator.comparingInt(PlaneSource::priority).reversed()).toList();
        for (PlaneSource s : ranked) {
            if (s.probe(device)) {
                return s;
            }
        }
        throw new DeviceException("no plane source can read " + device.name() + " (tried "
                + ranked.stream().map(s -> s.bufferType().name()).toList() + ")");
    }

    /**
     * Writes the primary plane of the device named by {@code spec} to {@code png}.
     *
     * @return the plane source's buffer type name
     * @throws DeviceException when the device cannot be opened or read, or shows nothing yet
     */
    public static String snapshot(Devices devices, String spec, Path png) throws DeviceException, IOException {
        try (GfxDevice device = devices.open(spec)) {
            PlaneSource source = pick(device, sources());
            try (PlaneSession session = source.open(device)) {
                Optional<PlaneBuffer> frame = session.acquire(PlaneType.PRIMARY, true);
                if (frame.isEmpty()) {
                    throw new DeviceException(spec + " shows nothing yet: the guest has not set a mode");
                }
                try (PlaneBuffer b = frame.get()) {
                    writePng(b, png);
                }
            }
            return source.bufferType().name();
        }
    }

    /**
     * Feeds {@code sink} with the device's frames for {@code duration}, at most {@code fps} per second.
     *
     * @return the pipeline's counters at the end
     */
    public static PipelineStats stream(Devices devices, String spec, FrameSink sink, double fps, Duration duration)
            throws InterruptedException {
        try (Pipeline pipeline = Pipeline.builder("embedded").open(devices, spec).sources(sources())
                        .options(PipelineOptions.defaults().withMaxRate(fps)).build();
                SinkHandle handle = pipeline.attach(sink, "mine")) {
            Thread.sleep(duration.toMillis());
            return pipeline.stats();
        }
    }

    /** A sink that counts frames and keeps the size of the last one. */
    public static final class CountingSink implements FrameSink {
        private final AtomicLong frames = new AtomicLong();
        private volatile String last = "none";

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {
            frames.incrementAndGet();
            last = frame.primary().info().width() + "x" + frame.primary().info().height();
        }

        public long frames() {
            return frames.get();
        }

        public String last() {
            return last;
        }
    }

    private static void writePng(PlaneBuffer b, Path png) throws IOException {
        int w = b.info().width();
        int h = b.info().height();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, PixelConverter.toArgb(b.info(), b.pixels()), 0, w);
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("ImageIO has no PNG writer");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EmbeddedCapture SPEC OUT.png [SECONDS]   (SPEC: an mdev UUID or sim:mdpy-xga...)");
            System.exit(2);
        }
        Devices devices = new Devices();
        String type = snapshot(devices, args[0], Path.of(args[1]));
        System.out.println("wrote " + args[1] + " (read through the " + type + " plane source)");
        double seconds = args.length == 3 ? Double.parseDouble(args[2]) : 3;
        CountingSink sink = new CountingSink();
        PipelineStats stats = stream(devices, args[0], sink, 30, Duration.ofMillis((long) (seconds * 1000)));
        System.out.println("streamed " + sink.frames() + " frames (" + sink.last() + ") in " + seconds + " s: " + stats);
    }
}
