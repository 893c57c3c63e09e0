package io.github.scanout.sink.video.internal;

import io.github.scanout.api.sink.ForwardingSink;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The video sink ({@code --sink video:/path/vm1.mp4}) as a Declarative Services component: one
 * recording per factory configuration of {@value #PID}.
 *
 * <p>Threads: SCR constructs and deactivates it; the {@link FrameSink} methods come from the
 * pipeline's delivery thread for this sink.
 */
@Component(configurationPid = VideoSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = VideoSinkConfig.class, factory = true)
public final class VideoSinkComponent extends ForwardingSink<VideoSink> {
    /** The factory PID of recordings. */
    public static final String PID = "io.github.scanout.sink.video";

    static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(VideoSinkConfig.class));

    /**
     * Checks the configuration and GStreamer (its libraries and every element the pipeline needs)
     * and starts the sink; the file is opened with the first frame.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration
     */
    @Activate
    public VideoSinkComponent(Map<String, Object> properties) {
        this(properties, PID, KEYS, false);
    }

    VideoSinkComponent(Map<String, Object> properties, String pid, List<ConfigKey> keys, boolean stream) {
        super(start(properties, pid, keys, stream));
    }

    /** Reads, checks and starts a video or stream sink. */
    static VideoSink start(Map<String, ?> properties, String pid, List<ConfigKey> keys, boolean stream) {
        return start(properties, pid, keys, stream, Reporter.system("io.github.scanout.sink.video"));
    }

    /** As above, logging to {@code log}. */
    static VideoSink start(Map<String, ?> properties, String pid, List<ConfigKey> keys, boolean stream, Reporter log) {
        ConfigReader reader = ConfigReader.forSink(ConfigReader.source(properties, pid), keys, properties);
        for (String w : reader.warnings()) {
            log.warn(w);
        }
        VideoOptions options = VideoOptions.read(reader, stream);
        Gst gst;
        try {
            gst = Gst.load();
            String encoder = options.encoderElement(options.codec().equals("h264") && options.encoder().equals("auto")
                    && options.pipeline().isEmpty() ? Encoders.auto(gst, log) : "x264enc");
            Elements.require(gst, Descriptions.elements(options, encoder));
            if (!options.pipeline().isEmpty()) {
                try {
                    GstPipeline.check(gst, Descriptions.of(options, encoder, 2, 2));
                } catch (IllegalStateException e) {
                    reader.refuse("pipeline", e.getMessage());
                    reader.check();
                }
            }
            Object name = properties.get(FrameSink.NAME_PROPERTY);
            String label = name == null ? String.valueOf(properties.get("service.pid") == null ? pid : properties.get("service.pid")) : name.toString();
            boolean zeroCopy = !options.cursor()
                    && GstPipeline.takesDmaBuf(gst, Descriptions.of(options, encoder, 64, 64), "BGRx");
            if (zeroCopy) {
                log.info(label + ": dma-buf planes go to GStreamer as memory:DMABuf (zero copy) where they are linear "
                        + "dma-bufs; other frames are copied in CPU memory");
            } else {
                log.info(label + ": frames go to GStreamer in CPU memory (dma-buf planes are read through the importer "
                        + "chain): " + (options.cursor() ? "cursor=true draws the cursor into each frame with the CPU"
                        : "the pipeline after the source does not take video/x-raw(memory:DMABuf): it converts or "
                                + "encodes in system memory first"));
            }
            return new VideoSink(gst, options, encoder, label, log, zeroCopy, VideoSink::isDmaBuf);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(reader.source() + ": " + e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        delegate.close();
    }

    VideoSink sink() {
        return delegate;
    }
}
