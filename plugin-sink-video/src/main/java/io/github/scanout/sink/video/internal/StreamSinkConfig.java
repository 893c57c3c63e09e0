package io.github.scanout.sink.video.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of one published stream (a factory configuration of PID
 * {@value StreamSinkComponent#PID}). Checked by {@link VideoOptions#read}.
 */
@ObjectClassDefinition(
        name = "Scanout stream sink",
        description = "Publishes what a device shows to a media server (RTSP, SRT, RTMP) or as HLS into a directory, "
                + "through GStreamer.")
public @interface StreamSinkConfig {

    @AttributeDefinition(description = "Name of the device this sink is for, as the device is configured.")
    String device() default "";

    @AttributeDefinition(description = "Where to publish: rtsp://HOST:PORT/PATH (RTSP RECORD, as to MediaMTX), "
            + "srt://HOST:PORT, rtmp://HOST/APP/KEY, or hls:/DIRECTORY/. On the command line a URL with its own "
            + "'?' or '&' is given as ?url=... with '&' written %26.")
    String url() default "";

    @AttributeDefinition(description = "Video codec: h264.", options = {@Option(value = "h264")})
    String codec() default "h264";

    @AttributeDefinition(description = "H.264 encoder: auto (a hardware encoder GStreamer has and that works, "
            + "else x264), x264, or a GStreamer element name such as vaapih264enc, vah264enc, nvh264enc.")
    String encoder() default "auto";

    @AttributeDefinition(description = "Target bitrate in kbit/s; 0 encodes at constant quality (see quality).",
            min = "0", max = "200000")
    int bitrate() default 4000;

    @AttributeDefinition(description = "Constant quality when bitrate is 0: a quantizer from 0 to 50.", min = "0",
            max = "50")
    int quality() default 23;

    @AttributeDefinition(description = "Output frames per second (constant: a still screen repeats its last frame).",
            min = "1", max = "120")
    int fps() default 30;

    @AttributeDefinition(name = "keyframe.interval", description = "Frames from one key frame to the next; "
            + "0 is two seconds' worth.", min = "0", max = "10000")
    int keyframe_interval() default 0;

    @AttributeDefinition(name = "speed.preset", description = "x264 speed preset (ultrafast ... veryslow).",
            options = {@Option(value = "ultrafast"), @Option(value = "superfast"), @Option(value = "veryfast"),
                @Option(value = "faster"), @Option(value = "fast"), @Option(value = "medium"), @Option(value = "slow"),
                @Option(value = "slower"), @Option(value = "veryslow")})
    String speed_preset() default "veryfast";

    @AttributeDefinition(description = "x264 tuning: zerolatency (the default), stillimage, animation, film, none.",
            options = {@Option(value = "zerolatency"), @Option(value = "stillimage"), @Option(value = "animation"),
                @Option(value = "film"), @Option(value = "none")})
    String tune() default "zerolatency";

    @AttributeDefinition(description = "Draw the guest's cursor into the video (from the cursor plane, where "
            + "the device has one).")
    boolean cursor() default false;

    @AttributeDefinition(description = "Frames that may wait for the encoder; beyond that frames are dropped "
            + "(counted), capture never waits.", min = "1", max = "1000")
    int queue() default 8;

    @AttributeDefinition(name = "segment.seconds", description = "HLS: seconds per segment.", min = "1", max = "60")
    int segment_seconds() default 2;

    @AttributeDefinition(name = "segments", description = "HLS: segments kept on disk and in the playlist; older "
            + "ones are deleted.", min = "1", max = "10000")
    int segments() default 5;

    @AttributeDefinition(description = "A gst-launch description of everything downstream of Scanout's source "
            + "(raw video); when given it replaces the pipeline built from the other keys and url is not used.")
    String pipeline() default "";
}
