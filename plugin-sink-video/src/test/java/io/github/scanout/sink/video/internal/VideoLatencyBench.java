package io.github.scanout.sink.video.internal;

import io.github.scanout.api.support.Reporter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code VALUE video_latency_p99_ms} for {@code bench/run}: from a change of a simulated guest's
 * screen to its encoded packet leaving the stream sink's pipeline.
 *
 * <p>The pipeline is the {@code stream} sink's own RTSP pipeline at 1080p30 with its defaults
 * (x264 veryfast, {@code tune=zerolatency}, 4000 kbit/s), with {@code rtspclientsink} replaced by
 * a {@code fakesink}: the measurement ends where the parsed H.264 access unit reaches the
 * network element (RTP packetising and the socket write follow). A {@code sim:mdpy-hd} guest
 * (1920x1080) changes its picture about 10 times a second at a random phase against the sink's
 * 30 fps ticks; each change is stamped before it is drawn, and handed to the sink at once (the
 * capture loop's own poll delay is {@code poll_us}, measured elsewhere). Between changes the
 * screen is still and the sink repeats the last frame, as it does for a desktop. The figure
 * includes the wait for the sink's next tick (up to 33 ms), the copy into GStreamer, the
 * conversion to I420, the encode and the parse.
 *
 * <p>Arguments: seconds to measure (default 30). Prints p50, p99, max and the sample count,
 * then the VALUE line; exits 1 when fewer than 100 changes were measured.
 */
public final class VideoLatencyBench {
    private VideoLatencyBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Map<String, Object> rtsp = new HashMap<>(Map.of("device", "sim", "url", "rtsp://127.0.0.1:8554/bench"));
        VideoOptions real = VideoOptions.read(new io.github.scanout.api.support.ConfigReader("bench",
                StreamSinkComponent.KEYS, rtsp), true);
        String full = Descriptions.of(real, "x264enc", 1920, 1080);
        String rest = full.substring(Descriptions.SOURCE.length() + " ! ".length());
        int cut = rest.indexOf(" ! rtspclientsink");
        if (cut < 0) {
            throw new IllegalStateException("the RTSP pipeline changed: " + full);
        }
        String pipeline = rest.substring(0, cut) + " ! fakesink name=" + GstPipeline.SINK + " sync=false async=false";
        System.out.println("video_latency: pipeline appsrc ! " + pipeline);
        Map<String, Object> config = new HashMap<>(Map.of("device", "sim", "pipeline", pipeline));
        Reporter log = (level, message) -> System.out.println("video_latency: " + level + " " + message);
        VideoOptions options = VideoOptions.read(new io.github.scanout.api.support.ConfigReader("bench",
                StreamSinkComponent.KEYS, config), true);
        VideoSink sink = new VideoSink(Gst.load(), options, "x264enc", "latency", log);
        List<Long> samples = new ArrayList<>();
        sink.measureLatency(n -> {
            synchronized (samples) {
                samples.add(n);
            }
        });
        SimFrames guest = new SimFrames("sim:mdpy-hd");
        // two seconds of warm-up (encoder start, JIT), not counted
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        long end = warmUntil + seconds * 1_000_000_000L;
        boolean counting = false;
        while (System.nanoTime() - end < 0) {
            if (!counting && System.nanoTime() - warmUntil >= 0) {
                synchronized (samples) {
                    samples.clear();
                }
                counting = true;
            }
            long changed = System.nanoTime();
            guest.device.drawNextFrame();
            SimFrames.deliver(sink, guest.current(changed));
            Thread.sleep(85 + ThreadLocalRandom.current().nextInt(31));
        }
        Thread.sleep(1000); // the last changes leave the encoder
        sink.close();
        List<Long> sorted;
        synchronized (samples) {
            sorted = samples.stream().sorted().toList();
        }
        System.out.printf("video_latency: %d changes measured over %d s; dropped %d of %d ticks; output %s%n",
                sorted.size(), seconds, sink.dropped(), sink.pushed() + sink.dropped(), sink.output());
        if (sorted.size() < 100) {
            System.out.println("video_latency: too few changes reached the end of the pipeline to give a p99");
            System.exit(1);
        }
        System.out.printf("video_latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", at(sorted, 0.50), at(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6);
        System.out.printf("VALUE video_latency_p99_ms %.1f ms%n", at(sorted, 0.99));
    }

    /** The nearest-rank percentile, in milliseconds. */
    private static double at(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }
}
