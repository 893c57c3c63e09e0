package io.github.scanout.sink.video.internal;

import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
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
public final class StreamSinkComponent implements FrameSink, CountsOutput {
    /** The factory PID of published streams. */
    public static final String PID = "io.github.scanout.sink.stream";

    static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(StreamSinkConfig.class));

    private final VideoSink sink;

    /**
     * Checks the configuration and GStreamer (its libraries and every element the pipeline needs)
     * and starts the sink; the file is opened with the first frame.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration
     */
    @Activate
    public StreamSinkComponent(Map<String, Object> properties) {
        this.sink = VideoSinkComponent.start(properties, PID, KEYS, true);
    }

    @Deactivate
    void deactivate() {
        sink.close();
    }

    @Override
    public SinkNeeds needs() {
        return sink.needs();
    }

    @Override
    public void frame(Frame frame) {
        sink.frame(frame);
    }

    @Override
    public void cursor(CursorState cursor) {
        sink.cursor(cursor);
    }

    @Override
    public void noSignal(String reason) {
        sink.noSignal(reason);
    }

    @Override
    public void detached() {
        sink.close();
    }

    @Override
    public SinkOutput output() {
        return sink.output();
    }

    VideoSink sink() {
        return sink;
    }
}
