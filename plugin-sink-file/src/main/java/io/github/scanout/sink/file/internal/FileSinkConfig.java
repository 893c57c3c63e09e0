package io.github.scanout.sink.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The keys of one file sink's configuration (a factory configuration of PID
 * {@value FileSinkComponent#PID}; one sink per configuration): their types, ranges and
 * defaults. bnd turns this into the bundle's metatype, which the component
 * ({@link FileSinkOptions#KEYS}), the launcher's {@code --sink file:...} check and the shell's
 * {@code scanout:attach} read with the configuration toolkit, so all three accept the same
 * values. SCR never hands this type to the component (its coercion would throw on
 * {@code keep = abc}, and its defaults would become service properties that clash with a key
 * spelt in another case). Dotted keys are spelt with an underscore here.
 */
@ObjectClassDefinition(
        name = "Scanout file sink",
        description = "Saves what a device shows: PNG snapshots, a raw stream or a Y4M stream.")
public @interface FileSinkConfig {

    @AttributeDefinition(description = "Name of the device this sink is for, as the device is configured "
            + "(an mdev UUID or a sim: spec). Published as a service property for the pipeline's filter.")
    String device() default "";

    @AttributeDefinition(description = "Directory for png snapshots; file for raw and y4m streams "
            + "(an existing file is never overwritten: NAME-2.EXT, NAME-3.EXT... are used). "
            + "The directory must exist.")
    String path();

    @AttributeDefinition(description = "What to write.", options = {
        @Option(value = "png", label = "PNG snapshots, one file per frame"),
        @Option(value = "raw", label = "raw stream, frames with a 64-byte header each"),
        @Option(value = "y4m", label = "YUV4MPEG2 stream for ffmpeg and mpv")
    })
    String format() default "png";

    @AttributeDefinition(type = AttributeType.DOUBLE, min = "0", max = "1000",
            options = @Option(value = "auto", label = "1 for png, every frame for streams"),
            description = "Most frames per second to write: a number from 0 (every frame) to 1000, "
            + "or auto (1 for png, every frame for streams). For y4m it is also the stream's frame rate.")
    String max_fps() default "auto";

    @AttributeDefinition(description = "Skip a frame that shows the same pixels (and cursor, when composited) "
            + "as the last one written.")
    boolean only_when_changed() default true;

    @AttributeDefinition(description = "png: keep the newest N snapshots of this pattern and device, "
            + "deleting older ones. raw and y4m: keep the newest N files of this stream (NAME.EXT, NAME-2.EXT ...), "
            + "deleting older ones when a new file is started. 0 keeps all.", min = "0")
    int keep() default 0;

    @AttributeDefinition(type = AttributeType.LONG, min = "0", description = "raw and y4m only: start a new "
            + "file (NAME-N.EXT) before a frame that would take the current one past this many bytes; a file "
            + "holds at least one frame. 0 = no size limit. With keep, the stream's files are bounded to about "
            + "keep x rotate.bytes.")
    long rotate_bytes() default 0;

    @AttributeDefinition(type = AttributeType.LONG, min = "0", description = "raw and y4m only: start a new "
            + "file once the current one has been written to for this many seconds. 0 = no time limit.")
    long rotate_seconds() default 0;

    @AttributeDefinition(type = AttributeType.LONG, min = "0", options = @Option(value = "auto",
            label = "1 GiB, or 5% of the file system when that is smaller"),
            description = "The free-space floor: while the file system of the output has fewer usable bytes "
            + "than this, nothing is written (one warning; the frames are received but not written) and "
            + "writing resumes when space returns. auto = 1 GiB, or 5% of the file system's size when that "
            + "is smaller; 0 = no floor.")
    String min_free_bytes() default "auto";

    @AttributeDefinition(description = "Composite the cursor into the image: true, false, or auto "
            + "(true for png, false for y4m). raw never composites.", options = {
        @Option(value = "auto", label = "auto"),
        @Option(value = "true", label = "true"),
        @Option(value = "false", label = "false")
    })
    String cursor() default "auto";

    @AttributeDefinition(description = "y4m only: chroma subsampling.", options = {
        @Option(value = "420", label = "4:2:0 (C420jpeg)"),
        @Option(value = "444", label = "4:4:4 (C444)")
    })
    String y4m_chroma() default "420";

    @AttributeDefinition(description = "png only: file names. Placeholders: {device} (sanitised to "
            + "[A-Za-z0-9._-]), {seq} or {seq:0Nd} (frame sequence), {n} or {n:0Nd} (this sink's file counter), "
            + "{time} (capture time, UTC, yyyyMMdd-HHmmss.SSS).")
    String name_pattern() default NamePattern.DEFAULT;

    @AttributeDefinition(description = "png only: write a temporary file and rename it, so that a reader "
            + "never sees half a file.")
    boolean atomic() default true;

    @AttributeDefinition(description = "Flush each png (before its rename) or each stream frame to the device.")
    boolean fsync() default false;
}
