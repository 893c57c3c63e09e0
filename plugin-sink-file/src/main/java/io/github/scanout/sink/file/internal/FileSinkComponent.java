package io.github.scanout.sink.file.internal;

import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
import java.util.HashMap;
import java.util.List;
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
public final class FileSinkComponent implements FrameSink, CountsOutput {
    /** The factory PID of file sink configurations. */
    public static final String PID = "io.github.scanout.sink.file";

    private static final System.Logger LOG = System.getLogger("io.github.scanout.sink.file");

    private final FileSink sink;

    /** For tests: a configuration without its raw properties. */
    FileSinkComponent(FileSinkConfig config) {
        this(config, Map.of());
    }

    /**
     * Checks the configuration and builds the sink. The values are read from the raw properties
     * where present (so that {@code keep = many} is refused rather than turned into 0 by DS's
     * coercion), else from the typed configuration's defaults. A key no file sink reads (a typo
     * such as {@code formt}) is logged as one warning naming it and the keys that are read.
     *
     * @throws IllegalArgumentException naming the configuration (PID and file), the key, the value
     *     and what is accepted, when the configuration cannot be honoured (SCR logs it and the sink
     *     does not start)
     */
    @Activate
    public FileSinkComponent(FileSinkConfig config, Map<String, Object> properties) {
        String where = where(properties);
        List<String> unknown = FileSinkOptions.unknownKeys(properties.keySet());
        if (!unknown.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, unknownKeysMessage(where, unknown));
        }
        Map<String, Object> values = toMap(config);
        for (String key : FileSinkOptions.KEYS) {
            Object raw = properties.get(key);
            if (raw != null) {
                values.put(key, raw);
            }
        }
        FileSinkOptions options;
        try {
            options = FileSinkOptions.parse(values);
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String prefix = "file sink configuration: ";
            throw new IllegalArgumentException(m.startsWith(prefix) && !where.isEmpty()
                    ? "file sink configuration " + where + ": " + m.substring(prefix.length()) : m);
        }
        this.sink = new FileSink(options);
    }

    /** {@code PID (file)} for messages, from the configuration's properties; "" when neither is known. */
    static String where(Map<String, ?> properties) {
        Object pid = properties.get("service.pid");
        Object file = properties.get("felix.fileinstall.filename");
        if (pid == null) {
            return file == null ? "" : file.toString();
        }
        return pid + (file == null ? "" : " (" + file + ")");
    }

    /** The warning for keys no file sink reads. */
    static String unknownKeysMessage(String where, List<String> unknown) {
        return "file sink configuration" + (where.isEmpty() ? "" : " " + where) + ": unknown key"
                + (unknown.size() == 1 ? " '" + unknown.get(0) + "' is" : "s '" + String.join("', '", unknown) + "' are")
                + " ignored; the keys are " + String.join(", ", FileSinkOptions.KEYS) + ", " + FileSinkOptions.SINK_NAME;
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

    /** What the sink wrote, apart from what it received (its {@link CountsOutput}). */
    @Override
    public SinkOutput output() {
        return sink.output();
    }

    /** The sink behind the component (tests). */
    FileSink sink() {
        return sink;
    }
}
