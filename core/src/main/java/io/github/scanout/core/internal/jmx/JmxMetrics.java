package io.github.scanout.core.internal.jmx;

import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Registers a {@link DeviceMXBean} for every device pipeline and a {@link SinkMXBean} for every
 * sink attached to one, in the platform MBean server, and unregisters them when they go. Sinks
 * come and go inside a pipeline without a service event: the set is brought in line every
 * {@value #REFRESH_MILLIS} ms, and at once when a pipeline comes or goes. The first refresh,
 * which starts the platform MBean server, comes {@value #REFRESH_MILLIS} ms after activation,
 * off the start-up path.
 *
 * <p>Threads: SCR calls the bind methods on its threads; the refresh runs on this component's
 * thread ({@code scanout-jmx}); the MBean server calls the beans on its callers' threads (each
 * getter reads the pipeline's stats, which is thread-safe).
 */
@Component(service = {}, immediate = true)
public final class JmxMetrics {
    static final long REFRESH_MILLIS = 1000;
    static final String DOMAIN = "io.github.scanout";

    private static final System.Logger LOG = System.getLogger(JmxMetrics.class.getName());

    private final java.util.function.Supplier<MBeanServer> serverSupplier;
    /** Got on the refresh thread, so that starting the platform MBean server (JMX's classes) does not delay SCR. */
    private MBeanServer server;
    private volatile boolean started;
    private final List<ManagedPipeline> pipelines = new CopyOnWriteArrayList<>();
    private final Map<ObjectName, Object> registered = new HashMap<>();
    private ScheduledExecutorService timer;
    private boolean warned;

    /** For SCR. */
    public JmxMetrics() {
        this.serverSupplier = ManagementFactory::getPlatformMBeanServer;
    }

    JmxMetrics(MBeanServer server) {
        this.serverSupplier = () -> server;
    }

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scanout-jmx");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (ObjectName n : new ArrayList<>(registered.keySet())) {
                unregister(n);
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPipeline(ManagedPipeline p) {
        pipelines.add(p);
        kick();
    }

    void unbindPipeline(ManagedPipeline p) {
        pipelines.remove(p);
        kick();
    }

    /** A refresh now, once the first periodic one has started the MBean server (none during start-up). */
    private void kick() {
        ScheduledExecutorService t = timer;
        if (t != null && !t.isShutdown() && started) {
            try {
                t.execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // deactivating
            }
        }
    }

    static ObjectName deviceName(String device) throws JMException {
        return new ObjectName(DOMAIN + ":type=Device,name=" + ObjectName.quote(device));
    }

    static ObjectName sinkName(String device, String sink) throws JMException {
        return new ObjectName(DOMAIN + ":type=Sink,device=" + ObjectName.quote(device) + ",name=" + ObjectName.quote(sink));
    }

    /** Brings the registered beans in line with the pipelines and their sinks. */
    synchronized void refresh() {
        if (server == null) {
            server = serverSupplier.get();
            started = true;
        }
        Map<ObjectName, Object> wanted = new HashMap<>();
        for (ManagedPipeline p : pipelines) {
            try {
                PipelineStats s = p.stats();
                wanted.put(deviceName(p.name()), new Device(p));
                for (SinkStats k : s.sinks()) {
                    wanted.put(sinkName(p.name(), k.name()), new Sink(p, k.name()));
                }
            } catch (JMException | RuntimeException e) {
                // a pipeline closing under us: the next refresh sees it gone
            }
        }
        for (ObjectName n : new ArrayList<>(registered.keySet())) {
            if (!wanted.containsKey(n) || !sameTarget(registered.get(n), wanted.get(n))) {
                unregister(n);
            }
        }
        for (Map.Entry<ObjectName, Object> e : wanted.entrySet()) {
            if (!registered.containsKey(e.getKey())) {
                try {
                    server.registerMBean(e.getValue(), e.getKey());
                    registered.put(e.getKey(), e.getValue());
                } catch (JMException | RuntimeException ex) {
                    if (!warned) {
                        warned = true;
                        LOG.log(System.Logger.Level.WARNING, "cannot register the JMX bean " + e.getKey() + ": " + ex);
                    }
                }
            }
        }
    }

    private static boolean sameTarget(Object a, Object b) {
        if (a instanceof Device da && b instanceof Device db) {
            return da.p == db.p;
        }
        return a instanceof Sink sa && b instanceof Sink sb && sa.p == sb.p;
    }

    private void unregister(ObjectName n) {
        registered.remove(n);
        if (server == null) {
            return;
        }
        try {
            server.unregisterMBean(n);
        } catch (JMException | RuntimeException e) {
            // already gone
        }
    }

    /** The names registered now, for tests. */
    synchronized List<ObjectName> names() {
        return new ArrayList<>(registered.keySet());
    }

    /**
     * A sink's state from its counters: {@code NO_PICTURE} while it cannot read the device's
     * frames, {@code FAILING} while its last error stands and it wrote fewer frames than it
     * received, else {@code RUNNING}.
     */
    public static String sinkState(SinkStats k) {
        if (!k.noPicture().isEmpty()) {
            return "NO_PICTURE";
        }
        if (!k.lastError().isEmpty() && k.written() < k.delivered()) {
            return "FAILING";
        }
        return "RUNNING";
    }

    static final class Device implements DeviceMXBean {
        final ManagedPipeline p;

        Device(ManagedPipeline p) {
            this.p = p;
        }

        private PipelineStats s() {
            return p.stats();
        }

        @Override public String getName() { return p.name(); }
        @Override public String getSpec() { return p.spec(); }
        @Override public String getState() { return s().state().name(); }
        @Override public String getReason() { return s().reason(); }
        @Override public String getSource() { return s().source(); }
        @Override public long getPolls() { return s().polls(); }
        @Override public long getFramesCaptured() { return s().captured(); }
        @Override public long getFramesUnchanged() { return s().unchanged(); }
        @Override public long getFramesDelivered() { return s().delivered(); }
        @Override public long getFramesDropped() { return s().dropped(); }
        @Override public long getDeviceErrors() { return s().deviceErrors(); }
        @Override public long getSinkErrors() { return s().sinkErrors(); }
        @Override public long getLatencyP50Micros() { return s().latencyP50Micros(); }
        @Override public long getLatencyP99Micros() { return s().latencyP99Micros(); }

        @Override
        public String[] getSinks() {
            return s().sinks().stream().map(SinkStats::name).toArray(String[]::new);
        }
    }

    static final class Sink implements SinkMXBean {
        final ManagedPipeline p;
        final String name;

        Sink(ManagedPipeline p, String name) {
            this.p = p;
            this.name = name;
        }

        private SinkStats k() {
            SinkStats k = p.stats().sink(name);
            if (k == null) {
                throw new IllegalStateException("sink " + name + " is no longer attached to " + p.name());
            }
            return k;
        }

        @Override public String getName() { return name; }
        @Override public String getDevice() { return p.name(); }
        @Override public String getState() { return sinkState(k()); }
        @Override public int getQueued() { return k().queued(); }
        @Override public long getFramesDelivered() { return k().delivered(); }
        @Override public long getFramesDropped() { return k().dropped(); }
        @Override public long getFramesWritten() { return k().written(); }
        @Override public long getBytesWritten() { return k().bytesWritten(); }
        @Override public long getErrors() { return k().errors(); }
        @Override public long getLatencyP50Micros() { return k().latencyP50Micros(); }
        @Override public long getLatencyP99Micros() { return k().latencyP99Micros(); }
        @Override public String getLastError() { return k().lastError(); }
        @Override public String getNoPicture() { return k().noPicture(); }
        @Override public String[] getClients() {
            return k().clients().stream().map(Object::toString).toArray(String[]::new);
        }
    }
}
