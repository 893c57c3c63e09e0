package io.github.scanout.web.internal;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.LoopbackHttpServer;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.TlsFiles;
import io.github.scanout.core.FrameSnapshot;
import io.github.scanout.core.ManagedPipeline;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * The web console: with a configuration of {@value #PID}, serves {@link WebServer}'s routes at
 * {@code http://LISTEN/}, or {@code https://LISTEN/} with {@code tls.cert} and {@code tls.key}
 * ({@link TlsFiles}). On loopback without more; anywhere else only with TLS and logins
 * ({@code htpasswd.file}, {@link Access}), and logins only with TLS. The device model is the launcher's
 * {@code scanout ctl --json} model service ({@value #MODEL_FILTER}); the pictures are core's
 * {@link FrameSnapshot} of each device's {@link ManagedPipeline}; the forms' attach and detach
 * are the launcher's {@code scanout ctl} actions service ({@value #ACT_FILTER}); the live views'
 * WebSockets are the VNC sinks' registered listener addresses ({@value #WEBSOCKET_FILTER}).
 *
 * <p>Threads: SCR activates and deactivates; requests run on the server's threads.
 */
@Component(configurationPid = WebComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = WebConfig.class)
public final class WebComponent {
    /** The PID of the console's configuration. */
    public static final String PID = "io.github.scanout.web";
    static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    /** The launcher's registration of the ctl model (runtime's ControlCommands.MODEL_PROPERTY and SCHEMA). */
    static final String MODEL_FILTER = "(scanout.ctl.model=scanout-ctl/1)";
    /** The launcher's registration of the ctl actions, attach and detach (runtime's ControlCommands.ACT_PROPERTY). */
    static final String ACT_FILTER = "(scanout.ctl.act=scanout-ctl/1)";
    /** How long a snapshot waits for the device's frame. */
    static final Duration PICTURE_TIMEOUT = Duration.ofSeconds(5);
    static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(WebConfig.class);

    private final Reporter reporter = Reporter.system("io.github.scanout.web");
    private final List<ManagedPipeline> pipelines = new CopyOnWriteArrayList<>();
    /** The VNC sinks' WebSocket listeners, as {@link WebServer.LiveViews} lists them. */
    private final List<Map<String, Object>> websockets = new CopyOnWriteArrayList<>();
    /** The property of the registered console address that holds its URL (read by {@code scanout ctl status}). */
    public static final String URL_PROPERTY = "scanout.web.url";

    private final WebServer server;
    private ServiceRegistration<InetSocketAddress> endpoint;

    /**
     * Checks the configuration and starts listening.
     *
     * @param model the launcher's ctl model
     * @param actions the launcher's ctl attach and detach
     * @throws IllegalArgumentException naming the configuration, the key and the value;
     *     {@link UncheckedIOException} naming the address when it cannot be bound
     */
    @Activate
    public WebComponent(@Reference(name = "model", target = MODEL_FILTER) Function<String, Map<String, Object>> model,
            @Reference(name = "actions", target = ACT_FILTER) Function<List<String>, Map<String, Object>> actions,
            Map<String, Object> properties, BundleContext context) {
        this(model, actions, properties);
        // the address for `scanout ctl status`: a service property, read without getting the service
        endpoint = context.registerService(InetSocketAddress.class, server.address(),
                new Hashtable<>(Map.of(URL_PROPERTY, server.url())));
    }

    /** Without the registration of the address (tests). */
    WebComponent(Function<String, Map<String, Object>> model, Function<List<String>, Map<String, Object>> actions,
            Map<String, Object> properties) {
        ConfigReader reader = new ConfigReader(ConfigReader.source(properties, PID), KEYS, properties);
        for (String w : reader.warnings()) {
            reporter.warn(w);
        }
        reader.check();
        InetSocketAddress address;
        SSLContext tls;
        Access access;
        try {
            address = LoopbackHttpServer.anyAddress(reader.text("listen"), DEFAULT_LISTEN);
            String cert = reader.text("tls.cert").trim();
            String key = reader.text("tls.key").trim();
            String users = reader.text("htpasswd.file").trim();
            if (cert.isEmpty() != key.isEmpty()) {
                throw new IllegalArgumentException((cert.isEmpty() ? "tls.cert" : "tls.key") + " is missing: tls.cert"
                        + " and tls.key go together (the certificate and its private key, PEM files)");
            }
            if (!address.getAddress().isLoopbackAddress() && (cert.isEmpty() || users.isEmpty())) {
                throw new IllegalArgumentException("listen = " + reader.text("listen").trim() + " is not a loopback"
                        + " address: there the web console needs TLS and logins, and " + (cert.isEmpty()
                        ? (users.isEmpty() ? "tls.cert, tls.key and htpasswd.file are" : "tls.cert and tls.key are")
                        : "htpasswd.file is") + " not set; set them, or browse on this host or through an SSH tunnel");
            }
            if (!users.isEmpty() && cert.isEmpty()) {
                throw new IllegalArgumentException("htpasswd.file needs tls.cert and tls.key: HTTP Basic sends the"
                        + " password with every request, so the console asks for it over https only");
            }
            tls = cert.isEmpty() ? null : TlsFiles.context(Path.of(cert), Path.of(key), "tls.cert", "tls.key",
                    reader.source());
            access = users.isEmpty() ? Access.local() : Access.of(Htpasswd.read(Path.of(users), "htpasswd.file"),
                    reader.text("viewers"), reader.text("controllers"), "htpasswd.file=" + users);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(reader.source()) ? m : reader.source() + ": " + m);
        }
        try {
            server = new WebServer(address, tls, access, model::apply, actions::apply, this::png, this::endpoints,
                    Path.of(reader.text("novnc").trim().isEmpty() ? WebServer.DEFAULT_NOVNC : reader.text("novnc").trim()),
                    reporter, java.time.Clock.systemUTC());
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(reader.source() + ": " + e.getMessage(), e.getCause());
        }
        reporter.report(System.Logger.Level.INFO, "web: serving the console at " + server.url()
                + (access.logins() ? " to the users of " + reader.text("htpasswd.file").trim() : ""));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPipeline(ManagedPipeline p) {
        pipelines.add(p);
    }

    void unbindPipeline(ManagedPipeline p) {
        pipelines.remove(p);
    }

    /** plugin-sink-vnc's registration of a VNC sink's WebSocket listener (VncSinkComponent.WEBSOCKET_URL). */
    static final String WEBSOCKET_FILTER = "(scanout.vnc.websocket=*)";

    @Reference(service = InetSocketAddress.class, target = WEBSOCKET_FILTER, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindWebSocket(InetSocketAddress address, Map<String, Object> properties) {
        Map<String, Object> e = new java.util.HashMap<>();
        e.put("url", String.valueOf(properties.get("scanout.vnc.websocket")));
        e.put("origins", String.valueOf(properties.getOrDefault("scanout.vnc.websocket.origins", "")));
        e.put("input", String.valueOf(properties.getOrDefault("scanout.vnc.input", "false")));
        e.put("password", String.valueOf(properties.getOrDefault("scanout.vnc.password", "false")));
        e.put("device", String.valueOf(properties.getOrDefault("device", "")));
        e.put("sink.name", String.valueOf(properties.getOrDefault("sink.name", "vnc")));
        e.put("service.id", properties.get("service.id"));
        websockets.add(Map.copyOf(e));
    }

    void unbindWebSocket(InetSocketAddress address, Map<String, Object> properties) {
        websockets.removeIf(e -> java.util.Objects.equals(e.get("service.id"), properties.get("service.id")));
    }

    private List<Map<String, Object>> endpoints() {
        return List.copyOf(websockets);
    }

    /** The address it listens on (tests). */
    InetSocketAddress address() {
        return server.address();
    }

    /** Its URL (tests). */
    String url() {
        return server.url();
    }

    @Deactivate
    void deactivate() {
        if (endpoint != null) {
            try {
                endpoint.unregister();
            } catch (IllegalStateException e) {
                // the bundle is stopping: unregistered already
            }
        }
        server.stop();
    }

    private byte[] png(String device) throws InterruptedException {
        List<String> names = new ArrayList<>();
        for (ManagedPipeline p : pipelines) {
            if (p.name().equals(device)) {
                return FrameSnapshot.take(p, PICTURE_TIMEOUT).png();
            }
            names.add(p.name());
        }
        throw new WebServer.NoSuchDevice("no device " + device + " (devices: " + (names.isEmpty() ? "none"
                : String.join(", ", names.stream().sorted().toList())) + ")");
    }
}
