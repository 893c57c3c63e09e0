package io.github.scanout.sink.video.internal;

import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.StreamRotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checked settings of one video or stream sink.
 *
 * @param target where it writes; null when {@code pipeline} is given
 * @param codec h264, vp8 or vp9
 * @param encoder auto, x264 or an element name
 * @param bitrate kbit/s, 0 for constant quality
 * @param quality the quantizer when {@code bitrate} is 0
 * @param fps output frames per second
 * @param keyframeInterval frames between key frames
 * @param speedPreset the x264 preset
 * @param tune the x264 tuning, or "none"
 * @param queue frames that may wait for the encoder
 * @param segmentSeconds HLS segment length
 * @param segments HLS segments kept
 * @param pipeline a custom description downstream of the source, or empty
 * @param cursor draw the cursor into the frames
 * @param rotation recordings: when a new piece is started and how many are kept
 *     ({@link StreamRotation.Policy#NONE} for one file, and for streams)
 */
record VideoOptions(Target target, String codec, String encoder, int bitrate, int quality, int fps,
        int keyframeInterval, String speedPreset, String tune, int queue, int segmentSeconds, int segments,
        String pipeline, boolean cursor, StreamRotation.Policy rotation) {

    static final List<String> HARDWARE_H264 = List.of("vah264enc", "vaapih264enc", "nvh264enc", "qsvh264enc");

    /**
     * Reads a configuration the reader has accepted key by key, and checks what spans keys.
     *
     * @param stream a stream sink ({@code url}) rather than a recording ({@code path})
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration
     */
    static VideoOptions read(ConfigReader r, boolean stream) {
        r.check();
        String pipeline = r.text("pipeline") == null ? "" : r.text("pipeline").trim();
        String targetKey = stream ? "url" : "path";
        String where = r.text(targetKey);
        Target target = null;
        if (pipeline.isEmpty()) {
            try {
                target = stream ? Target.stream(where) : Target.file(where);
            } catch (IllegalArgumentException e) {
                r.refuse(targetKey, e.getMessage());
            }
        }
        String codec = r.text("codec").toLowerCase(Locale.ROOT);
        if (codec.isEmpty()) {
            codec = target != null && target.kind() == Target.Kind.WEBM ? "vp8" : "h264";
        }
        if (target != null && target.kind() == Target.Kind.WEBM && codec.equals("h264")) {
            r.refuse("codec", "WebM holds VP8 or VP9, not H.264 (write a .mp4 or .mkv file for H.264)");
        }
        if (target != null && !target.kind().file() && !codec.equals("h264")) {
            r.refuse("codec", "streams are published as H.264");
        }
        String encoder = r.text("encoder").trim().toLowerCase(Locale.ROOT);
        if (encoder.isEmpty()) {
            encoder = "auto";
        }
        if (!encoder.matches("[a-z0-9_-]{1,64}")) {
            r.refuse("encoder", "expected auto, x264 or a GStreamer element name");
        } else if (!codec.equals("h264") && !encoder.equals("auto") && !encoder.equals(codec + "enc")) {
            r.refuse("encoder", codec + " is encoded by " + codec + "enc (leave encoder=auto)");
        }
        int fps = r.integer("fps");
        int kf = r.integer("keyframe.interval");
        if (kf == 0) {
            kf = 2 * fps;
        }
        if (!pipeline.isEmpty() && r.given(targetKey) && !r.text(targetKey).isBlank()) {
            r.refuse("pipeline", "give either " + targetKey + " or pipeline, not both (the pipeline ends in its own sink)");
        }
        boolean hls = stream && target != null && target.kind() == Target.Kind.HLS;
        if (hls) {
            // hlssink2 cuts segments at key frames: one at least every segment
            kf = Math.min(kf, fps * r.integer("segment.seconds"));
        }
        StreamRotation.Policy rotation = StreamRotation.Policy.NONE;
        if (!stream) {
            long bytes = r.whole("rotate.bytes");
            long seconds = r.whole("rotate.seconds");
            int keep = r.integer("keep");
            boolean rotating = bytes > 0 || seconds > 0;
            if (rotating && !pipeline.isEmpty()) {
                r.refuse(bytes > 0 ? "rotate.bytes" : "rotate.seconds", "rotation needs path; a custom pipeline "
                        + "rotates with its own splitmuxsink");
            } else if (keep > 0 && !rotating) {
                r.refuse("keep", "keeps the newest pieces of a rotated recording: give rotate.bytes or rotate.seconds "
                        + "too");
            } else if (rotating && r.errors().isEmpty()) {
                // TimeUnit saturates: a huge rotate.seconds is "never"
                rotation = new StreamRotation.Policy(bytes, java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds), keep);
            }
        }
        r.check();
        return new VideoOptions(target, codec, encoder, r.integer("bitrate"), r.integer("quality"), fps, kf,
                r.text("speed.preset").toLowerCase(Locale.ROOT), r.text("tune").toLowerCase(Locale.ROOT),
                r.integer("queue"), stream ? r.integer("segment.seconds") : 2, stream ? r.integer("segments") : 5,
                pipeline, r.bool("cursor"), rotation);
    }

    /** {@return whether the recording is cut into pieces ({@code rotate.bytes}, {@code rotate.seconds})} */
    boolean rotating() {
        return rotation.maxBytes() > 0 || rotation.maxNanos() > 0;
    }

    /** {@return the element that encodes: the codec's own, x264enc, or the one named} */
    String encoderElement(String autoChoice) {
        if (!codec.equals("h264")) {
            return codec + "enc";
        }
        return switch (encoder) {
            case "auto" -> autoChoice;
            case "x264" -> "x264enc";
            default -> encoder;
        };
    }

    /** The encoder with its settings, as gst-launch text. */
    String encoderText(String element) {
        List<String> p = new ArrayList<>();
        p.add(element);
        p.add("name=scanout_enc");
        switch (element) {
            case "x264enc" -> {
                p.add("speed-preset=" + speedPreset);
                if (!tune.equals("none")) {
                    p.add("tune=" + tune);
                }
                p.add("key-int-max=" + keyframeInterval);
                if (bitrate > 0) {
                    p.add("bitrate=" + bitrate);
                } else {
                    p.add("pass=qual");
                    p.add("quantizer=" + quality);
                }
            }
            case "vp8enc", "vp9enc" -> {
                p.add("deadline=1");
                p.add("cpu-used=" + (element.equals("vp8enc") ? 16 : 8));
                p.add("keyframe-max-dist=" + keyframeInterval);
                if (bitrate > 0) {
                    p.add("end-usage=cbr");
                    p.add("target-bitrate=" + bitrate * 1000L);
                } else {
                    p.add("end-usage=cq");
                    p.add("cq-level=" + Math.min(63, quality));
                }
            }
            case "vaapih264enc" -> {
                p.add("keyframe-period=" + keyframeInterval);
                if (bitrate > 0) {
                    p.add("bitrate=" + bitrate);
                }
            }
            case "nvh264enc" -> {
                p.add("gop-size=" + keyframeInterval);
                if (bitrate > 0) {
                    p.add("bitrate=" + bitrate);
                }
            }
            case "vah264enc", "qsvh264enc" -> {
                p.add("key-int-max=" + keyframeInterval);
                if (bitrate > 0) {
                    p.add("bitrate=" + bitrate);
                }
            }
            default -> {
                // an element named by the operator: its own defaults
            }
        }
        return String.join(" ", p);
    }
}
