package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.sink.SinkOutput;
import io.github.scanout.api.support.Reporter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The Declarative Services face of {@link GlSink}: one sink per factory configuration of
 * {@code io.github.scanout.sink.gl}, registered as a {@link FrameSink} with the configuration's
 * properties (so {@code device} is there for the pipeline to match).
 *
 * <p>Activation returns at once: GL starts on the sink's GL thread (about half a second), never
 * on SCR's thread. EDID resizing uses a {@link GfxDevice} service whose {@code device} property
 * (or name) is this sink's device, when one is registered.
 *
 * <p>Threads: SCR calls the constructor, bind methods and deactivate; the pipeline calls the
 * FrameSink methods on the sink's delivery thread.
 */
@Component(configurationPid = GlSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = GlSinkConfig.class, factory = true)
public final class GlSinkComponent implements FrameSink, CountsOutput {
    private final GlSink sink;
    private final String device;
    private final Map<GfxDevice, String> devices = new ConcurrentHashMap<>();

    /** The factory PID of GL sink configurations. */
    static final String PID = FrameSink.FACTORY_PID_PREFIX + "gl";
    /** The keys, as {@link GlSinkConfig} declares them, and {@code sink.name}. */
    static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(GlSinkConfig.class));
    private static final Reporter LOG = Reporter.system("io.github.scanout.sink.gl");

    /**
     * Reads the configuration's raw properties with the configuration toolkit (unknown keys and
     * old spellings are logged as warnings).
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration, the
     *     key, the value and the rule (SCR logs it and the sink does not start)
     */
    @Activate
    public GlSinkComponent(Map<String, Object> properties) {
        ConfigReader r = new ConfigReader(ConfigReader.source(properties, PID), KEYS, properties);
        r.warnings().forEach(w -> LOG.report(System.Logger.Level.WARNING, w));
        GlSinkOptions options;
        // thrown: SCR logs it (the runtime folds that into one line); logging it here too would say it twice
        options = options(r);
        this.device = options.device();
        this.sink = new GlSink(options, this::edid);
    }

    /** Checks and converts a configuration; the message names the source, the key, the value and the rule. */
    static GlSinkOptions options(ConfigReader r) {
        r.check();
        if (r.text("device").isEmpty()) {
            r.refuse("device", "expected the device name to show");
        }
        if ((r.integer("width") == 0) != (r.integer("height") == 0)) {
            r.refuse(r.integer("width") == 0 ? "height" : "width", "set both width and height, or neither");
        }
        r.check();
        return new GlSinkOptions(r.text("device"), GlSinkOptions.Mode.parse(r.text("mode")),
                ScaleMode.parse(r.text("scale")), r.bool("vsync"), r.text("title"), r.integer("width"),
                r.integer("height"), r.bool("edid.resize"), r.number("max.fps"),
                CursorOrigin.parse(r.text("cursor.position")), r.bool("zero.copy"),
                EglPlatform.parse(r.text("egl.platform")), GlSinkOptions.WindowApi.parse(r.text("window.api")),
                Duration.ofSeconds(3));
    }

    /** {@link #options(ConfigReader)} of plain values (tests). */
    static GlSinkOptions options(Map<String, ?> values) {
        return options(new ConfigReader("GL sink configuration", KEYS, values));
    }

    @Reference(name = "devices", service = GfxDevice.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDevice(GfxDevice d, Map<String, Object> properties) {
        Object name = properties.get(FrameSink.DEVICE_PROPERTY);
        devices.put(d, name != null ? name.toString() : d.name());
    }

    void removeDevice(GfxDevice d) {
        devices.remove(d);
    }

    private Optional<EdidRegion> edid() {
        for (Map.Entry<GfxDevice, String> e : devices.entrySet()) {
            if (e.getValue().equals(device)) {
                try {
                    return e.getKey().edid();
                } catch (Exception ex) {
                    throw new IllegalStateException("reading the EDID region of " + device + ": " + ex.getMessage(), ex);
                }
            }
        }
        return Optional.empty();
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
}
