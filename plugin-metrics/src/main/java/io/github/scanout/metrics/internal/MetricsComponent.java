package io.github.scanout.metrics.internal;

import com.sun.net.httpserver.HttpExchange;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.LoopbackHttpServer;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineStats;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The Prometheus endpoint: with a configuration of {@value #PID}, serves
 * {@code http://LISTEN/metrics} (Prometheus text format 0.0.4) from a registry holding one
 * {@link ScanoutCollector} over every device pipeline. Loopback only. Anything but GET or HEAD
 * on {@code /metrics} gets 404 or 405.
 *
 * <p>The metrics are the Prometheus Java client's data model and text format writer
 * ({@code io.prometheus:prometheus-metrics-model}, {@code -exposition-textformats}): the
 * client the Prometheus project keeps, which writes the format exactly as Prometheus reads it;
 * the counters already exist in core's stats, so a collector turns them into snapshots at each
 * scrape and nothing is counted twice. The HTTP server is the JDK's ({@code jdk.httpserver}),
 * one thread, through api.support's {@link LoopbackHttpServer}.
 *
 * <p>Threads: SCR activates and deactivates; scrapes run on the server's thread
 * ({@code scanout-metrics-1}).
 */
@Component(configurationPid = MetricsComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = MetricsConfig.class)
public final class MetricsComponent {
    /** The PID of the endpoint's configuration. */
    public static final String PID = "io.github.scanout.metrics";
    static final String DEFAULT_LISTEN = "127.0.0.1:9464";
    static final String PATH = "/metrics";
    /** The property of the registered endpoint address that holds its URL (read by {@code scanout ctl status}). */
    public static final String URL_PROPERTY = "scanout.metrics.url";

    private static final System.Logger LOG = System.getLogger("io.github.scanout.metrics");
    static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(MetricsConfig.class);

    private final List<ManagedPipeline> pipelines = new CopyOnWriteArrayList<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private LoopbackHttpServer server;
    private ServiceRegistration<InetSocketAddress> endpoint;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPipeline(ManagedPipeline p) {
        pipelines.add(p);
    }

    void unbindPipeline(ManagedPipeline p) {
        pipelines.remove(p);
    }

    /**
     * Checks the configuration and starts listening.
     *
     * @throws IllegalArgumentException naming the configuration, the key and the value;
     *     {@link UncheckedIOException} naming the address when it cannot be bound
     */
    @Activate
    void activate(Map<String, Object> properties, BundleContext context) {
        start(properties);
        // the address for `scanout ctl status`: a service property, read without getting the service
        endpoint = context.registerService(InetSocketAddress.class, server.address(),
                new Hashtable<>(Map.of(URL_PROPERTY, "http://" + server.hostPort() + PATH)));
    }

    /** {@link #activate} without the registration (tests). */
    void start(Map<String, Object> properties) {
        ConfigReader reader = new ConfigReader(ConfigReader.source(properties, PID), KEYS, properties);
        for (String w : reader.warnings()) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
        reader.check();
        InetSocketAddress address;
        try {
            address = LoopbackHttpServer.address(reader.text("listen"), DEFAULT_LISTEN, "metrics", "let Prometheus"
                    + " scrape on the same host, or put a reverse proxy with TLS and authentication in front");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(reader.source() + ": " + e.getMessage());
        }
        registry.register(new ScanoutCollector(this::stats));
        try {
            server = LoopbackHttpServer.start(address, 1, "scanout-metrics", this::handle);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(reader.source() + ": " + e.getMessage(), e.getCause());
        }
        LOG.log(System.Logger.Level.INFO, "metrics: serving Prometheus text at http://" + server.hostPort() + PATH);
    }

    /** The address it listens on (with the port chosen for port 0). */
    InetSocketAddress address() {
        return server.address();
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
        if (server != null) {
            server.stop();
        }
    }

    private List<PipelineStats> stats() {
        List<PipelineStats> out = new ArrayList<>();
        for (ManagedPipeline p : pipelines) {
            try {
                out.add(p.stats());
            } catch (RuntimeException e) {
                // closing under us
            }
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(PATH)) {
                reply(ex, 404, "not found: the metrics are at " + PATH + "\n");
                return;
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!head && !ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "method not allowed\n");
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writer.write(body, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
            ex.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
            if (head) {
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(200, body.size());
                try (OutputStream o = ex.getResponseBody()) {
                    body.writeTo(o);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "metrics: a scrape failed: " + e);
        }
    }

    private static void reply(HttpExchange ex, int code, String text) throws IOException {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }
}
