package io.github.scanout.core.internal.osgi;

import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.core.Devices;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.internal.borrow.BorrowProviders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * One configured device and its pipeline, as a Declarative Services component: one instance per
 * factory configuration of {@value #PID}, registered as a {@link ManagedPipeline} service (for the
 * operator commands) with the configuration's properties.
 *
 * <p>Wiring, all dynamic, greedy and multiple, so that bundles and configurations come and go
 * while frames flow:
 * <ul>
 *   <li>{@link DeviceProvider}s: the device is opened through them (on the pipeline's capture
 *       thread, never on SCR's); a provider that arrives while the device could not be opened
 *       triggers a reopen.</li>
 *   <li>{@link PlaneSource}s: a new one makes the pipeline probe it if it outranks the one in use;
 *       removing the one in use makes the pipeline close its session (the unbind waits for that,
 *       up to the stall timeout) and probe again.</li>
 *   <li>{@link BufferImporter}s: tried in service-ranking order.</li>
 *   <li>{@link FrameSink}s: every sink service with a {@code device} property (the reference's
 *       target, {@code sinks.target}, defaults to {@code (device=*)} and may narrow it further) is
 *       bound, and attached only if that property equals this device's name. Filtering here rather
 *       than with a computed target keeps the default working for any device name without the
 *       operator writing a filter. A sink whose properties change is re-matched.</li>
 * </ul>
 *
 * <p>Immediate: a configured device captures whether or not anyone uses its service (a delayed
 * component would only start when a command looked it up, and stop again afterwards).
 *
 * <p>Errors: a malformed configuration is logged as one line naming the configuration, the key and
 * the value, and the component stays active without a pipeline, reporting
 * {@link PipelineState#FAILED} with that line as its reason. (Throwing from activate instead makes
 * SCR log a stack trace, again at every lookup of the service, and hand lookups null, so operator
 * commands could not list the device.) A device that cannot be opened is logged once by its
 * pipeline, naming the configuration and the reason, and shows as {@link PipelineState#FAILED};
 * changing the configuration reopens it. Other devices are unaffected either way.
 *
 * <p>Threads: SCR calls activate, deactivate and the bind methods on its threads, possibly
 * concurrently; state is guarded by one lock and no device call is made on SCR's threads.
 */
@Component(name = DeviceComponent.PID, configurationPid = DeviceComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = ManagedPipeline.class, immediate = true)
@Designate(ocd = DeviceConfig.class, factory = true)
public final class DeviceComponent implements ManagedPipeline {

    /** The factory PID of device configurations. */
    public static final String PID = ManagedPipeline.FACTORY_PID;
    /** The sink service property naming the device a sink is for. */
    public static final String DEVICE_PROPERTY = FrameSink.DEVICE_PROPERTY;

    private static final Reporter LOG = Reporter.system(DeviceComponent.class.getName());

    private final Object lock = new Object();
    private final List<DeviceProvider> providers = new CopyOnWriteArrayList<>();
    private final List<PlaneSource> sources = new CopyOnWriteArrayList<>();
    private final List<RankedImporter> importers = new CopyOnWriteArrayList<>();
    private final Map<FrameSink, Map<String, Object>> sinks = new IdentityHashMap<>();
    private final Map<FrameSink, SinkHandle> attached = new IdentityHashMap<>();
    private DeviceSettings settings;
    private Pipeline pipeline;
    /**
     * The names of the devices running, each with the configuration that named it: a second
     * configuration with a taken name is refused (one line naming both) rather than one of the
     * two silently winning the sinks.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> NAMES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The configuration that holds this device's name in {@link #NAMES}. */
    private String claim;

    /**
     * The built-in providers for running VMs, kept for the pipeline's life: every reopen goes
     * through the same ones, so a {@code vm:PID} device stays bound to its one pidfd (the PID is
     * never looked up again, and no pidfd leaks per reopen). Released at deactivation.
     */
    private List<DeviceProvider> borrowing = List.of();
    /** Set when the configuration was refused: what stats report instead of a pipeline. */
    private PipelineStats refused;

    private record RankedImporter(BufferImporter importer, int ranking, long serviceId) {}

    /** For SCR (and tests, which then call the bind methods and {@link #activate}). */
    public DeviceComponent() {}

    /**
     * Checks the configuration and starts the pipeline; a malformed configuration is logged once
     * and reported as {@link PipelineState#FAILED}.
     */
    @Activate
    void activate(Map<String, Object> properties) {
        String pid = pidOf(properties);
        Map<String, Object> props = properties == null ? Map.of() : properties;
        ConfigReader reader = DeviceSettings.read(props, pid);
        for (String w : reader.warnings()) {
            LOG.report(System.Logger.Level.WARNING, w);
        }
        DeviceSettings s;
        try {
            s = DeviceSettings.parse(reader, pid);
        } catch (IllegalArgumentException e) {
            LOG.report(System.Logger.Level.ERROR, e.getMessage());
            Object given = props.get("spec");
            String spec = given == null ? "" : given.toString().trim();
            Object n = props.get("name");
            String name = n != null && !n.toString().isBlank() ? n.toString().trim() : spec.isEmpty() ? pid : spec;
            synchronized (lock) {
                refused = PipelineStats.refused(name, spec, e.getMessage());
            }
            return;
        }
        String other = NAMES.putIfAbsent(s.name(), reader.source());
        if (other != null) {
            String why = reader.source() + ": name = '" + s.name() + "' is refused: " + other
                    + " already names a device so (each device needs a name of its own; this one does not start)";
            LOG.report(System.Logger.Level.ERROR, why);
            synchronized (lock) {
                refused = PipelineStats.refused(s.name(), s.spec(), why);
            }
            return;
        }
        synchronized (lock) {
            claim = reader.source();
            settings = s;
            List<DeviceProvider> builtIn = BorrowProviders.real(Path.of("/sys"), Path.of("/dev"), this::provider);
            borrowing = builtIn;
            pipeline = Pipeline.builder(s.name())
                    .open(() -> devices(builtIn), s.spec())
                    .sources(() -> List.copyOf(sources))
                    .importers(this::currentImporters)
                    .options(s.options())
                    .label("device '" + s.name() + "' (configuration " + s.pid() + ")")
                    .build();
            for (Map.Entry<FrameSink, Map<String, Object>> e : sinks.entrySet()) {
                attachIfMatching(e.getKey(), e.getValue());
            }
        }
    }

    @Deactivate
    void deactivate() {
        Pipeline p;
        List<DeviceProvider> builtIn;
        synchronized (lock) {
            p = pipeline;
            pipeline = null;
            attached.clear();
            if (settings != null) {
                NAMES.remove(settings.name(), claim);
            }
            builtIn = borrowing;
            borrowing = List.of();
        }
        if (p != null) {
            p.close();
        }
        BorrowProviders.release(builtIn);
    }

    /** The devices to open from: the bound providers (overriding a built-in one of their scheme), then the built-in ones. */
    private Devices devices(List<DeviceProvider> builtIn) {
        List<DeviceProvider> all = new ArrayList<>(providers);
        all.addAll(builtIn);
        return new Devices(all);
    }

    // ---- device providers ----------------------------------------------------------------------

    /** The provider of {@code scheme} among the registered ones (libvirt: asks for qemu-dbus), or null. */
    private DeviceProvider provider(String scheme) {
        for (DeviceProvider p : providers) {
            if (p.scheme().equalsIgnoreCase(scheme)) {
                return p;
            }
        }
        return null;
    }

    @Reference(name = "providers", service = DeviceProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeProvider")
    void addProvider(DeviceProvider provider) {
        providers.add(provider);
        Pipeline p = current();
        if (p != null && p.state() == PipelineState.FAILED) {
            p.reopen();
        }
    }

    void removeProvider(DeviceProvider provider) {
        providers.remove(provider);
        Pipeline p = current();
        String scheme = schemeOf(provider);
        if (p != null && scheme != null && p.spec().toLowerCase(Locale.ROOT).startsWith(scheme + ":")) {
            p.reopen();
        }
    }

    // ---- plane sources -------------------------------------------------------------------------

    @Reference(name = "sources", service = PlaneSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeSource")
    void addSource(PlaneSource source) {
        sources.add(source);
        Pipeline p = current();
        if (p != null) {
            p.sourcesChanged(Duration.ZERO);
        }
    }

    void removeSource(PlaneSource source) {
        sources.remove(source);
        Pipeline p = current();
        if (p != null && !p.sourcesChanged(p.options().stallTimeout())) {
            LOG.report(System.Logger.Level.WARNING, label() + ": the capture thread did not let go of the removed "
                    + "plane source within " + p.options().stallTimeout().toMillis() + " ms");
        }
    }

    // ---- importers -----------------------------------------------------------------------------

    @Reference(name = "importers", service = BufferImporter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeImporter")
    void addImporter(BufferImporter importer, Map<String, Object> properties) {
        importers.add(new RankedImporter(importer, intOf(properties.get("service.ranking")),
                longOf(properties.get("service.id"))));
    }

    void removeImporter(BufferImporter importer) {
        importers.removeIf(r -> r.importer() == importer);
    }

    private List<BufferImporter> currentImporters() {
        List<RankedImporter> copy = new ArrayList<>(importers);
        copy.sort(Comparator.comparingInt(RankedImporter::ranking).reversed()
                .thenComparingLong(RankedImporter::serviceId));
        return copy.stream().map(RankedImporter::importer).toList();
    }

    // ---- sinks ---------------------------------------------------------------------------------

    @Reference(name = "sinks", service = FrameSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, target = "(device=*)",
            updated = "updatedSink", unbind = "removeSink")
    void addSink(FrameSink sink, Map<String, Object> properties) {
        synchronized (lock) {
            sinks.put(sink, Map.copyOf(properties));
            if (pipeline != null) {
                attachIfMatching(sink, properties);
            }
        }
    }

    void updatedSink(FrameSink sink, Map<String, Object> properties) {
        SinkHandle old;
        synchronized (lock) {
            sinks.put(sink, Map.copyOf(properties));
            boolean matches = settings != null && matches(properties);
            old = matches ? null : attached.remove(sink);
            if (matches && pipeline != null) {
                attachIfMatching(sink, properties);
            }
        }
        if (old != null) {
            old.close();
        }
    }

    void removeSink(FrameSink sink) {
        SinkHandle h;
        synchronized (lock) {
            sinks.remove(sink);
            h = attached.remove(sink);
        }
        if (h != null) {
            h.close();
        }
    }

    /** Attaches the sink if it names this device and is not attached yet; caller holds the lock. */
    private void attachIfMatching(FrameSink sink, Map<String, Object> properties) {
        if (attached.containsKey(sink) || !matches(properties)) {
            return;
        }
        String name = sinkName(properties);
        try {
            attached.put(sink, pipeline.attach(SinceAttach.of(sink), name));
        } catch (RuntimeException e) {
            LOG.report(System.Logger.Level.WARNING, label() + ": sink '" + name + "' cannot be attached: " + e.getMessage());
        }
    }

    private boolean matches(Map<String, Object> properties) {
        Object d = properties.get(DEVICE_PROPERTY);
        return d instanceof String s && s.trim().equals(settings.name());
    }

    /**
     * The sink's name for stats and its thread: its {@code sink.name} property, else its
     * configuration PID, else its component name and service id.
     */
    static String sinkName(Map<String, Object> properties) {
        Object explicit = properties.get(FrameSink.NAME_PROPERTY);
        if (explicit instanceof String s && !s.isBlank()) {
            return s.trim();
        }
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && !s.isBlank()) {
            return s;
        }
        Object component = properties.get("component.name");
        Object id = properties.get("service.id");
        return (component instanceof String c ? c : "sink") + "#" + (id == null ? "?" : id);
    }

    // ---- ManagedPipeline -----------------------------------------------------------------------

    private Pipeline current() {
        synchronized (lock) {
            return pipeline;
        }
    }

    private Pipeline required() {
        Pipeline p;
        PipelineStats r;
        synchronized (lock) {
            p = pipeline;
            r = refused;
        }
        if (p == null) {
            throw new IllegalStateException(r != null ? r.reason() : "the device component is not active");
        }
        return p;
    }

    private PipelineStats refusedStats() {
        synchronized (lock) {
            return refused;
        }
    }

    private String label() {
        synchronized (lock) {
            return settings == null ? PID : "device '" + settings.name() + "' (configuration " + settings.pid() + ")";
        }
    }

    @Override
    public String name() {
        PipelineStats r = refusedStats();
        return r != null ? r.name() : required().name();
    }

    @Override
    public String spec() {
        PipelineStats r = refusedStats();
        return r != null ? r.spec() : required().spec();
    }

    @Override
    public PipelineState state() {
        PipelineStats r = refusedStats();
        if (r != null) {
            return r.state();
        }
        Pipeline p = current();
        return p == null ? PipelineState.CLOSED : p.state();
    }

    @Override
    public PipelineStats stats() {
        PipelineStats r = refusedStats();
        return r != null ? r : required().stats();
    }

    @Override
    public SinkHandle attach(FrameSink sink, String name) {
        return required().attach(sink, name);
    }

    @Override
    public void reopen() {
        if (refusedStats() == null) {
            required().reopen();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String pidOf(Map<String, Object> properties) {
        Object pid = properties == null ? null : properties.get("service.pid");
        if (pid instanceof String s && !s.isBlank()) {
            return s;
        }
        return PID;
    }

    private static String schemeOf(DeviceProvider provider) {
        try {
            String s = provider.scheme();
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int intOf(Object o) {
        return o instanceof Integer i ? i : 0;
    }

    private static long longOf(Object o) {
        return o instanceof Long l ? l : Long.MAX_VALUE;
    }
}
