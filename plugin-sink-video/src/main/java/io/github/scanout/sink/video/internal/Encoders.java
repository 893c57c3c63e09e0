package io.github.scanout.sink.video.internal;

import io.github.scanout.api.support.Reporter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code encoder=auto}: the first hardware H.264 encoder GStreamer has that encodes a few test
 * frames, else x264. Each candidate is tried once per process.
 *
 * <p>Threads: any.
 */
final class Encoders {
    private Encoders() {}

    private static final Map<String, Boolean> WORKS = new ConcurrentHashMap<>();

    /** The H.264 encoder element for {@code encoder=auto}, said once in the log. */
    static String auto(Gst gst, Reporter log) {
        for (String e : VideoOptions.HARDWARE_H264) {
            if (gst.hasElement(e) && WORKS.computeIfAbsent(e, n -> works(gst, n))) {
                return e;
            }
        }
        if (WORKS.putIfAbsent("x264enc", true) == null) {
            log.info("video: no working hardware H.264 encoder in GStreamer (tried " + String.join(", ",
                    VideoOptions.HARDWARE_H264) + "); encoding with x264enc on the CPU");
        }
        return "x264enc";
    }

    private static boolean works(Gst gst, String element) {
        try {
            return GstPipeline.runsToEnd(gst, "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240 ! "
                    + "videoconvert ! " + element + " ! fakesink", TimeUnit.SECONDS.toNanos(5));
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
