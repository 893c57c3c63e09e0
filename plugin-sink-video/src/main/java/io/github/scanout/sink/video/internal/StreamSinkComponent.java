package io.github.scanout.sink.video.internal;

import io.github.scanout.api.sink.ForwardingSink;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The stream sink ({@code --sink stream:rtsp://server:8554/vm1}) as a Declarative Services component: one
 * stream per factory configuration of {@value #PID}.
 *
 * <p>Threads: SCR constructs and deactivates it; the {@link FrameSink} methods come from the
 * pipeline's delivery thread for this sink.
 */
@Component(configurationPid = StreamSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = StreamSinkConfig.class, factory = true)
public final class StreamSinkComponent extends ForwardingSink<VideoSink> {
    /** The factory PID of published streams. */
    public static final String PID = "io.github.scanout.sink.stream";

    static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(StreamSinkConfig.class));

    /**
     * Checks the configuration and GStreamer (its libraries and every element the pipeline needs)
     * and starts the sink; the file is opened with the first frame.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration
     */
    @Activate
    public StreamSinkComponent(Map<String, Object> properties) {
        super(VideoSinkComponent.start(properties, PID, KEYS, true));
    }

    @Deactivate
    void deactivate() {
        delegate.close();
    }

    VideoSink sink() {
        return delegate;
    }
}
