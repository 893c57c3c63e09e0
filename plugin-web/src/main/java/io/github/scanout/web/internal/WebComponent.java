package io.github.scanout.web.internal;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.LoopbackHttpServer;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.TlsFiles;
import io.github.scanout.core.FrameSnapshot;
import io.github.scanout.core.ManagedPipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
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
 * The web console: with a configuration of {@value #PID}, configures the HTTP service (Felix
 * HTTP Jetty, its PID {@value #HTTP_PID}) to serve {@code http://LISTEN/}, or
 * {@code https://LISTEN/} with {@code tls.cert} and {@code tls.key} ({@link TlsFiles}, handed to
 * Jetty as a PKCS#12 key store in a private file), on that address alone, and registers the
 * {@link WebServer} whose routes the HTTP Whiteboard serves through the {@link ConsoleContext}
 * (authentication) and the {@link ConsoleServlet}. On loopback without more; anywhere else only
 * with TLS and logins ({@code htpasswd.file}, {@link Access}), and logins only with TLS. The
 * device model is the launcher's {@code scanout ctl --json} model service ({@value #MODEL_FILTER});
 * the pictures are core's {@link FrameSnapshot} of each device's {@link ManagedPipeline}; the
 * forms' attach and detach are the launcher's {@code scanout ctl} actions service
 * ({@value #ACT_FILTER}); the live views' WebSockets are the VNC sinks' registered listener
 * addresses ({@value #WEBSOCKET_FILTER}).
 *
 * <p>Threads: SCR activates and deactivates; requests run on the HTTP service's threads.
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

    /** The HTTP service's configuration PID (Felix HTTP Jetty), which this component writes. */
    static final String HTTP_PID = "org.apache.felix.http";

    private final WebServer server;
    private final InetSocketAddress address;
    private final String url;
    /** The PKCS#12 key store Jetty reads the TLS identity from, or null (plain http). */
    private final Path keyStore;
    private final Map<String, Object> http;
    private ServiceRegistration<InetSocketAddress> endpoint;
    private ServiceRegistration<WebServer> routes;
    private Configuration httpConfiguration;

    /**
     * Checks the configuration, configures the HTTP service (Felix HTTP Jetty) to listen there
     * and nowhere else, and registers the routes for the {@link ConsoleContext} and the
     * {@link ConsoleServlet}.
     *
     * @param model the launcher's ctl model
     * @param actions the launcher's ctl attach and detach
     * @param cm where the HTTP service's configuration ({@value #HTTP_PID}) is written
     * @throws IllegalArgumentException naming the configuration, the key and the value;
     *     {@link UncheckedIOException} naming the address when it cannot be bound
     */
    @Activate
    public WebComponent(@Reference(name = "model", target = MODEL_FILTER) Function<String, Map<String, Object>> model,
            @Reference(name = "actions", target = ACT_FILTER) Function<List<String>, Map<String, Object>> actions,
            @Reference ConfigurationAdmin cm, Map<String, Object> properties, BundleContext context) {
        this(model, actions, properties, context.getDataFile("tls").toPath());
        try {
            httpConfiguration = cm.getConfiguration(HTTP_PID, "?");
            httpConfiguration.update(new Hashtable<>(http));
        } catch (IOException e) {
            throw new UncheckedIOException(ConfigReader.source(properties, PID) + ": cannot configure the HTTP service"
                    + " (org.apache.felix.http): " + e.getMessage(), e);
        }
        routes = context.registerService(WebServer.class, server, new Hashtable<>(Map.of("listen", url)));
        // the address for `scanout ctl status`: a service property, read without getting the service
        endpoint = context.registerService(InetSocketAddress.class, address, new Hashtable<>(Map.of(URL_PROPERTY, url)));
    }

    /** As the next, a TLS key store in a new private temporary directory (tests). */
    WebComponent(Function<String, Map<String, Object>> model, Function<List<String>, Map<String, Object>> actions,
            Map<String, Object> properties) {
        this(model, actions, properties, temporaryDirectory());
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("scanout-web-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks the configuration and prepares what the HTTP service is configured with, without
     * configuring it (tests): a TLS key store goes into {@code privateDirectory}.
     */
    WebComponent(Function<String, Map<String, Object>> model, Function<List<String>, Map<String, Object>> actions,
            Map<String, Object> properties, Path privateDirectory) {
        ConfigReader reader = new ConfigReader(ConfigReader.source(properties, PID), KEYS, properties);
        for (String w : reader.warnings()) {
            reporter.warn(w);
        }
        reader.check();
        KeyStore tls;
        Access access;
        InetSocketAddress configured;
        try {
            configured = LoopbackHttpServer.anyAddress(reader.text("listen"), DEFAULT_LISTEN);
            String cert = reader.text("tls.cert").trim();
            String key = reader.text("tls.key").trim();
            String users = reader.text("htpasswd.file").trim();
            if (cert.isEmpty() != key.isEmpty()) {
                throw new IllegalArgumentException((cert.isEmpty() ? "tls.cert" : "tls.key") + " is missing: tls.cert"
                        + " and tls.key go together (the certificate and its private key, PEM files)");
            }
            if (!configured.getAddress().isLoopbackAddress() && (cert.isEmpty() || users.isEmpty())) {
                throw new IllegalArgumentException("listen = " + reader.text("listen").trim() + " is not a loopback"
                        + " address: there the web console needs TLS and logins, and " + (cert.isEmpty()
                        ? (users.isEmpty() ? "tls.cert, tls.key and htpasswd.file are" : "tls.cert and tls.key are")
                        : "htpasswd.file is") + " not set; set them, or browse on this host or through an SSH tunnel");
            }
            if (!users.isEmpty() && cert.isEmpty()) {
                throw new IllegalArgumentException("htpasswd.file needs tls.cert and tls.key: HTTP Basic sends the"
                        + " password with every request, so the console asks for it over https only");
            }
            tls = cert.isEmpty() ? null : TlsFiles.keyStore(Path.of(cert), Path.of(key), "tls.cert", "tls.key",
                    reader.source(), password.toCharArray());
            access = users.isEmpty() ? Access.local() : Access.of(Htpasswd.read(Path.of(users), "htpasswd.file"),
                    reader.text("viewers"), reader.text("controllers"), "htpasswd.file=" + users);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(reader.source()) ? m : reader.source() + ": " + m);
        }
        try {
            address = bindable(configured);
            keyStore = tls == null ? null : writePrivately(tls, password.toCharArray(), privateDirectory);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(reader.source() + ": " + e.getMessage(), e.getCause());
        }
        String host = address.getAddress().getHostAddress();
        url = (tls == null ? "http" : "https") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + address.getPort() + "/";
        http = httpConfiguration(address, keyStore, password);
        server = new WebServer(tls != null, address.getAddress().isLoopbackAddress(), access, model::apply,
                actions::apply, this::png, this::endpoints, Path.of(reader.text("novnc").trim().isEmpty()
                ? WebServer.DEFAULT_NOVNC : reader.text("novnc").trim()), reporter, java.time.Clock.systemUTC());
        reporter.report(System.Logger.Level.INFO, "web: serving the console at " + url
                + (access.logins() ? " to the users of " + reader.text("htpasswd.file").trim() : ""));
    }

    /** The key store's password: random per console, in the HTTP service's configuration only. */
    private final String password = randomPassword();

    private static String randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * {@code address}, its port chosen when it is 0, once a socket could be bound there (then
     * closed at once for the HTTP service): so that a port in use is one clear line here, and
     * port 0 is a free port of that address, not of every address (Felix HTTP would pick one
     * by binding every address).
     *
     * @throws UncheckedIOException {@code cannot listen on ADDRESS: REASON}
     */
    static InetSocketAddress bindable(InetSocketAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(address);
            return new InetSocketAddress(address.getAddress(), s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the TLS identity where only this user can read it: {@code dir} made {@code 0700},
     * the file {@code console.p12} created {@code 0600} (Jetty reads a key store from a file).
     */
    static Path writePrivately(KeyStore store, char[] password, Path dir) {
        try {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(owner));
            Files.setPosixFilePermissions(dir, owner);
            Path file = dir.resolve("console.p12");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new UncheckedIOException("cannot write the TLS key store into " + dir + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /**
     * What the HTTP service ({@value #HTTP_PID}) is configured with: the one address and port,
     * plain http or https alone (the other off), the key store for https. The launcher's framework
     * properties turn both off (EmbeddedFramework), so that Felix HTTP listens nowhere before
     * this configuration and after it is deleted.
     */
    static Map<String, Object> httpConfiguration(InetSocketAddress address, Path keyStore, String password) {
        Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("org.apache.felix.http.host", address.getAddress().getHostAddress());
        boolean https = keyStore != null;
        c.put("org.apache.felix.http.enable", Boolean.toString(!https));
        c.put("org.osgi.service.http.port", https ? "-1" : Integer.toString(address.getPort()));
        c.put("org.apache.felix.https.enable", Boolean.toString(https));
        c.put("org.osgi.service.http.port.secure", https ? Integer.toString(address.getPort()) : "-1");
        if (https) {
            c.put("org.apache.felix.https.keystore", keyStore.toString());
            c.put("org.apache.felix.https.keystore.type", "PKCS12");
            c.put("org.apache.felix.https.keystore.password", password);
            c.put("org.apache.felix.https.keystore.key.password", password);
            c.put("org.apache.felix.https.clientcertificate", "none");
        }
        c.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        c.put("org.apache.felix.http.name", "scanout-web");
        return c;
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

    /** The address it listens on, its port chosen for port 0 (tests). */
    InetSocketAddress address() {
        return address;
    }

    /** Its URL (tests). */
    String url() {
        return url;
    }

    /** The HTTP service's configuration (tests). */
    Map<String, Object> http() {
        return http;
    }

    /** The TLS key store's file, or null (tests). */
    Path keyStore() {
        return keyStore;
    }

    /** The routes (tests). */
    WebServer server() {
        return server;
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : java.util.Arrays.asList(endpoint, routes)) {
            if (r != null) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // the bundle is stopping: unregistered already
                }
            }
        }
        if (httpConfiguration != null) {
            try {
                // back to the framework's properties: the HTTP service listens nowhere
                httpConfiguration.delete();
            } catch (IOException | IllegalStateException e) {
                reporter.warn("web: cannot remove the HTTP service's configuration (org.apache.felix.http): "
                        + e.getMessage());
            }
        }
        if (keyStore != null) {
            try {
                Files.deleteIfExists(keyStore);
            } catch (IOException e) {
                reporter.warn("web: cannot delete " + keyStore + ": " + e.getMessage());
            }
        }
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
