package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
import java.time.Duration;
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
@Component(configurationPid = "io.github.scanout.sink.gl", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = GlSinkConfig.class, factory = true)
public final class GlSinkComponent implements FrameSink, CountsOutput {
    private final GlSink sink;
    private final String device;
    private final Map<GfxDevice, String> devices = new ConcurrentHashMap<>();

    @Activate
    public GlSinkComponent(GlSinkConfig config) {
        GlSinkOptions options = options(config);
        this.device = options.device();
        this.sink = new GlSink(options, this::edid);
    }

    /** Checks and converts the configuration; the message names the key and the value. */
    static GlSinkOptions options(GlSinkConfig c) {
        String device = c.device();
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("GL sink configuration: device is required (the device name to show)");
        }
        return new GlSinkOptions(device.trim(), GlSinkOptions.Mode.parse(c.mode()), ScaleMode.parse(c.scale()), c.vsync(),
                c.title(), c.width(), c.height(), c.edid_resize(), c.maxFps(), CursorOrigin.parse(c.cursor_position()),
                c.zeroCopy(), EglPlatform.parse(c.egl_platform()), GlSinkOptions.WindowApi.parse(c.window_api()),
                Duration.ofSeconds(3));
    }

    @Reference(name = "devices", service = GfxDevice.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDevice(GfxDevice d, Map<String, Object> properties) {
        Object name = properties.get("device");
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
