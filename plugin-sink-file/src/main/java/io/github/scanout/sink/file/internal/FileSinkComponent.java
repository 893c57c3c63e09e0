package io.github.scanout.sink.file.internal;

import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The file sink as a Declarative Services component: one {@link FileSink} per factory
 * configuration of {@value #PID}. The configuration's properties (including {@code device})
 * become the service's properties, which is what the pipeline's target filter matches.
 *
 * <p>Threads: SCR constructs and deactivates it on its own thread; the {@link FrameSink}
 * methods come from the pipeline's delivery thread for this sink.
 */
@Component(configurationPid = FileSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = FileSinkConfig.class, factory = true)
public final class FileSinkComponent implements FrameSink {
    /** The factory PID of file sink configurations. */
    public static final String PID = "io.github.scanout.sink.file";

    private final FileSink sink;

    /**
     * @throws IllegalArgumentException naming the key, the value and what is accepted, when the
     *     configuration cannot be honoured (SCR logs it and the sink does not start)
     */
    @Activate
    public FileSinkComponent(FileSinkConfig config) {
        this.sink = new FileSink(FileSinkOptions.parse(toMap(config)));
    }

    /** The typed configuration as the keys {@link FileSinkOptions#parse} reads. */
    static Map<String, Object> toMap(FileSinkConfig config) {
        Map<String, Object> m = new HashMap<>();
        m.put("device", config.device());
        m.put("path", config.path());
        m.put("format", config.format());
        m.put("maxFps", config.maxFps());
        m.put("onlyWhenChanged", config.onlyWhenChanged());
        m.put("keep", config.keep());
        m.put("cursor", config.cursor());
        m.put("y4m.chroma", config.y4m_chroma());
        m.put("namePattern", config.namePattern());
        m.put("atomic", config.atomic());
        m.put("fsync", config.fsync());
        return m;
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
        sink.detached();
    }

    /** The sink behind the component (tests). */
    FileSink sink() {
        return sink;
    }
}
