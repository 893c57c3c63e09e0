package io.github.scanout.sink.video.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gst-launch descriptions this sink runs, built from its options. Paths and URLs are not part
 * of the text: they are set on the element named {@value GstPipeline#SINK} as properties
 * ({@link #sinkProperties}), so nothing the operator writes is ever parsed as pipeline syntax.
 *
 * <p>Immutable; any thread.
 */
final class Descriptions {
    private Descriptions() {}

    /** The source every pipeline starts with. */
    static final String SOURCE = "appsrc name=" + GstPipeline.SOURCE
            + " is-live=true format=time do-timestamp=false stream-type=stream";

    /**
     * The whole description.
     *
     * @param o the options
     * @param encoder the encoder element ({@link VideoOptions#encoderElement})
     * @param width the output width (the first mode's; later modes are scaled into it)
     * @param height the output height
     */
    static String of(VideoOptions o, String encoder, int width, int height) {
        if (!o.pipeline().isEmpty()) {
            return SOURCE + " ! " + o.pipeline();
        }
        int w = Math.max(2, width & ~1);
        int h = Math.max(2, height & ~1);
        StringBuilder b = new StringBuilder(SOURCE);
        b.append(" ! videoconvert ! videoscale add-borders=true ! video/x-raw,format=I420,width=").append(w)
                .append(",height=").append(h).append(",pixel-aspect-ratio=1/1 ! ");
        b.append(o.encoderText(encoder));
        boolean h264 = o.codec().equals("h264");
        if (h264) {
            b.append(" ! h264parse config-interval=-1");
        }
        Target t = o.target();
        switch (t.kind()) {
            case MP4 -> b.append(" ! mp4mux fragment-duration=1000 ! filesink name=").append(GstPipeline.SINK);
            case MKV -> b.append(" ! matroskamux ! filesink name=").append(GstPipeline.SINK);
            case WEBM -> b.append(" ! webmmux ! filesink name=").append(GstPipeline.SINK);
            case RTSP -> b.append(" ! rtspclientsink name=").append(GstPipeline.SINK).append(" protocols=tcp latency=0");
            case SRT -> b.append(" ! mpegtsmux alignment=7 ! srtsink name=").append(GstPipeline.SINK).append(" wait-for-connection=false");
            // seven TS packets (1316 bytes) per SRT message: without it ffmpeg's SRT listener reads nothing
            case RTMP -> b.append(" ! flvmux streamable=true ! rtmpsink name=").append(GstPipeline.SINK);
            case HLS -> b.append(" ! hlssink2 name=").append(GstPipeline.SINK).append(" target-duration=")
                    .append(o.segmentSeconds()).append(" max-files=").append(o.segments()).append(" playlist-length=")
                    .append(o.segments());
        }
        return b.toString();
    }

    /** The elements a description built by {@link #of} uses, for the check that names missing packages. */
    static List<String> elements(VideoOptions o, String encoder) {
        if (!o.pipeline().isEmpty()) {
            List<String> out = new ArrayList<>(List.of("appsrc"));
            out.addAll(Elements.named(o.pipeline()));
            return out;
        }
        List<String> out = new ArrayList<>(List.of("appsrc", "videoconvert", "videoscale", encoder));
        if (o.codec().equals("h264")) {
            out.add("h264parse");
        }
        switch (o.target().kind()) {
            case MP4 -> out.addAll(List.of("mp4mux", "filesink"));
            case MKV -> out.addAll(List.of("matroskamux", "filesink"));
            case WEBM -> out.addAll(List.of("webmmux", "filesink"));
            case RTSP -> out.add("rtspclientsink");
            case SRT -> out.addAll(List.of("mpegtsmux", "srtsink"));
            case RTMP -> out.addAll(List.of("flvmux", "rtmpsink"));
            case HLS -> out.add("hlssink2");
        }
        return out;
    }

    /** The string properties of the sink element: where it writes. */
    static Map<String, String> sinkProperties(VideoOptions o) {
        Map<String, String> p = new LinkedHashMap<>();
        if (!o.pipeline().isEmpty()) {
            return p;
        }
        Target t = o.target();
        switch (t.kind()) {
            case MP4, MKV, WEBM, RTSP, RTMP -> p.put("location", t.location());
            case SRT -> p.put("uri", t.location());
            case HLS -> {
                Path dir = Path.of(t.location());
                p.put("location", dir.resolve("segment%05d.ts").toString());
                p.put("playlist-location", dir.resolve("index.m3u8").toString());
            }
        }
        return p;
    }

    /** The raw video caps of a frame of this GStreamer format and size, at the output rate. */
    static String caps(String format, int width, int height, int fps) {
        return "video/x-raw,format=" + format + ",width=" + width + ",height=" + height + ",framerate=" + fps
                + "/1,pixel-aspect-ratio=1/1";
    }
}
