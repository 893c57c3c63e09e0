package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.input.InputForwarder;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.SinkOutput;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.net.InetSocketAddress;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The VNC sink as a Declarative Services component: one listener per factory configuration of
 * {@value #PID}. The configuration's properties (including {@code device}) become the service's
 * properties, which is what the pipeline's target filter matches.
 *
 * <p>Threads: SCR constructs and deactivates it on its own thread; the {@link FrameSink}
 * methods come from the pipeline's delivery thread for this sink.
 */
@Component(configurationPid = VncSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = VncSinkConfig.class, factory = true)
public final class VncSinkComponent implements FrameSink, CountsOutput, InputForwarder {
    /** The factory PID of VNC sink configurations. */
    public static final String PID = "io.github.scanout.sink.vnc";

    private static final Reporter LOG = Reporter.system("io.github.scanout.sink.vnc");

    /** The keys a VNC sink reads, with their rules, from its metatype. */
    static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(VncSinkConfig.class));

    /**
     * The service property of a registered WebSocket endpoint: its URL, {@code ws://HOST:PORT/} or
     * {@code wss://HOST:PORT/} (plugin-web's live view reads it; plugin-web does not link to this bundle).
     */
    public static final String WEBSOCKET_URL = "scanout.vnc.websocket";
    /** The endpoint's {@code websocket.origins}, comma-separated ({@code *}: any). */
    public static final String WEBSOCKET_ORIGINS = "scanout.vnc.websocket.origins";
    /** Whether the sink forwards viewers' input ({@code input=true}): "true" or "false". */
    public static final String INPUT = "scanout.vnc.input";
    /** Whether viewers must give a password ({@code password.file}): "true" or "false". */
    public static final String PASSWORD = "scanout.vnc.password";

    private final VncSink sink;
    private ServiceRegistration<InetSocketAddress> websocket;

    /**
     * As {@link #VncSinkComponent(Map)}, and with a WebSocket listener registers its address as an
     * {@link InetSocketAddress} service with {@value #WEBSOCKET_URL}, {@value #WEBSOCKET_ORIGINS},
     * {@value #INPUT}, {@value #PASSWORD}, {@code device} and {@code sink.name}: the web console's
     * live view finds a device's WebSocket there.
     */
    @Activate
    public VncSinkComponent(Map<String, Object> properties, BundleContext context) {
        this(properties);
        if (sink.websocketPort() >= 0) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(WEBSOCKET_URL, sink.websocketUrl());
            p.put(WEBSOCKET_ORIGINS, String.join(",", sink.options().websocketOrigins()));
            p.put(INPUT, String.valueOf(sink.options().input()));
            p.put(PASSWORD, String.valueOf(sink.options().passwordFile() != null));
            p.put("device", sink.options().device());
            p.put(VncOptions.SINK_NAME, String.valueOf(properties.getOrDefault(VncOptions.SINK_NAME,
                    properties.getOrDefault("service.pid", "vnc"))));
            websocket = context.registerService(InetSocketAddress.class, sink.websocketAddress(), p);
        }
    }

    /**
     * Checks the configuration, reads the password file and starts listening.
     *
     * @throws IllegalArgumentException naming the configuration, key and value when it cannot be
     *     honoured; {@link UncheckedIOException} naming the address when it cannot be bound
     */
    public VncSinkComponent(Map<String, Object> properties) {
        // one way to read configuration (api.support's toolkit): values as text, unknown keys
        // and case variants one warning, a bad value one line naming the configuration
        ConfigReader reader = ConfigReader.forSink(ConfigReader.source(properties, PID), KEYS, properties);
        for (String w : reader.warnings()) {
            LOG.report(System.Logger.Level.WARNING, w);
        }
        reader.check();
        Map<String, Object> values = new HashMap<>();
        for (String key : VncOptions.KEYS) {
            String v = reader.text(key);
            if (v != null) {
                values.put(key, v);
            }
        }
        VncOptions options;
        try {
            options = VncOptions.parse(values);
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String prefix = "vnc sink configuration: ";
            throw new IllegalArgumentException(m.startsWith(prefix) ? reader.source() + ": " + m.substring(prefix.length()) : m);
        }
        Object name = properties.get(VncOptions.SINK_NAME);
        String label = name == null ? String.valueOf(properties.getOrDefault("service.pid", "vnc")) : name.toString();
        try {
            this.sink = new VncSink(options, label, LOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    static String where(Map<String, ?> properties) {
        Object pid = properties.get("service.pid");
        Object file = properties.get("felix.fileinstall.filename");
        if (pid == null) {
            return file == null ? "" : file.toString();
        }
        return pid + (file == null ? "" : " (" + file + ")");
    }

    @Deactivate
    void deactivate() {
        if (websocket != null) {
            try {
                websocket.unregister();
            } catch (IllegalStateException e) {
                // the bundle is stopping: unregistered already
            }
        }
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

    /** The device's input target; viewers' input reaches it only with {@code input=true}. */
    @Override
    public void inputTarget(Optional<InputTarget> target) {
        sink.inputTarget(target);
    }

    @Override
    public void detached() {
        sink.detached();
    }

    /** Frames offered to viewers and bytes sent to them, for scanout:stats, ctl status and metrics. */
    @Override
    public SinkOutput output() {
        return sink.output();
    }

    /** The sink behind the component (tests). */
    VncSink sink() {
        return sink;
    }
}
