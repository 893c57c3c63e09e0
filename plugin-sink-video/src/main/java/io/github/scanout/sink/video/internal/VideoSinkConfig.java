package io.github.scanout.sink.video.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of one recording (a factory configuration of PID
 * {@value VideoSinkComponent#PID}; one file per configuration). Checked by {@link VideoOptions#read}.
 */
@ObjectClassDefinition(
        name = "Scanout video sink",
        description = "Records what a device shows to a video file (MP4, Matroska or WebM) through GStreamer.")
public @interface VideoSinkConfig {

    @AttributeDefinition(description = "Name of the device this sink is for, as the device is configured.")
    String device() default "";

    @AttributeDefinition(description = "The file to write. Its extension picks the container: .mp4 (fragmented "
            + "MP4: a killed process leaves a file that plays up to the last second), .mkv (Matroska) or .webm. "
            + "An existing file is replaced, except with rotation (rotate.bytes, rotate.seconds): then the pieces "
            + "are NAME.EXT, NAME-2.EXT, NAME-3.EXT ... numbered above every piece already there, none is "
            + "overwritten. Required unless pipeline is given.")
    String path() default "";

    @AttributeDefinition(description = "Video codec: h264 (default for .mp4 and .mkv), vp8 (default for .webm) or vp9.",
            options = {@Option(value = "h264"), @Option(value = "vp8"), @Option(value = "vp9")})
    String codec() default "";

    @AttributeDefinition(description = "H.264 encoder: auto (a hardware encoder GStreamer has and that works, "
            + "else x264), x264, or a GStreamer element name such as vaapih264enc, vah264enc, nvh264enc.")
    String encoder() default "auto";

    @AttributeDefinition(description = "Target bitrate in kbit/s; 0 encodes at constant quality (see quality).",
            min = "0", max = "200000")
    int bitrate() default 0;

    @AttributeDefinition(description = "Constant quality when bitrate is 0: a quantizer from 0 (lossless) to 50; "
            + "23 is a good default for screens.", min = "0", max = "50")
    int quality() default 23;

    @AttributeDefinition(description = "Output frames per second. The output rate is constant: a still screen "
            + "repeats its last frame.", min = "1", max = "120")
    int fps() default 30;

    @AttributeDefinition(name = "keyframe.interval", description = "Frames from one key frame to the next; "
            + "0 is two seconds' worth.", min = "0", max = "10000")
    int keyframe_interval() default 0;

    @AttributeDefinition(name = "speed.preset", description = "x264 speed preset (ultrafast, superfast, veryfast, "
            + "faster, fast, medium, slow, ...): faster presets cost less CPU for a bigger file.",
            options = {@Option(value = "ultrafast"), @Option(value = "superfast"), @Option(value = "veryfast"),
                @Option(value = "faster"), @Option(value = "fast"), @Option(value = "medium"), @Option(value = "slow"),
                @Option(value = "slower"), @Option(value = "veryslow")})
    String speed_preset() default "veryfast";

    @AttributeDefinition(description = "x264 tuning: zerolatency (no frame held back: the default), "
            + "stillimage, animation, film, or none.",
            options = {@Option(value = "zerolatency"), @Option(value = "stillimage"), @Option(value = "animation"),
                @Option(value = "film"), @Option(value = "none")})
    String tune() default "zerolatency";

    @AttributeDefinition(description = "Draw the guest's cursor into the video (from the cursor plane, where "
            + "the device has one).")
    boolean cursor() default false;

    @AttributeDefinition(description = "Frames that may wait for the encoder; when it falls behind further, "
            + "frames are dropped (counted), capture never waits.", min = "1", max = "1000")
    int queue() default 8;

    @AttributeDefinition(name = "rotate.bytes", type = AttributeType.LONG, min = "0", description = "Start a new "
            + "piece (NAME-N.EXT, a complete playable file) once the current one holds about this many bytes of "
            + "encoded video. 0 = no size limit.")
    long rotate_bytes() default 0;

    @AttributeDefinition(name = "rotate.seconds", type = AttributeType.LONG, min = "0", description = "Start a new "
            + "piece (NAME-N.EXT, a complete playable file) once the current one has been recorded for this many "
            + "seconds. 0 = no time limit.")
    long rotate_seconds() default 0;

    @AttributeDefinition(min = "0", description = "With rotate.bytes or rotate.seconds: keep the newest N pieces "
            + "of this recording, deleting older ones when a piece is finished. 0 keeps all.")
    int keep() default 0;

    @AttributeDefinition(description = "A gst-launch description of everything downstream of Scanout's source "
            + "(raw video, for example 'videoconvert ! x264enc ! matroskamux ! filesink location=/tmp/a.mkv'); "
            + "when given, it replaces the pipeline built from the keys above and path is not written by the sink.")
    String pipeline() default "";
}
