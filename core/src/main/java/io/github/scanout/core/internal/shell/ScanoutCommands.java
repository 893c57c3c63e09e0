package io.github.scanout.core.internal.shell;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.SinkBundles;
import io.github.scanout.core.Devices;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.MdevInfo;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The operator's Gogo commands, scope {@code scanout}. Gogo finds them by the service properties
 * {@code osgi.command.scope} and {@code osgi.command.function} and calls the public methods by
 * name; the only Gogo type used is its {@link Descriptor} annotation, the help texts
 * {@code help scanout:attach} prints (imported optionally: where Gogo is not installed the
 * annotations are absent and nothing else changes). Each returns the text Gogo prints and throws
 * {@link IllegalArgumentException} or {@link IllegalStateException} with one line when it cannot
 * do what is asked.
 *
 * <ul>
 *   <li>{@code devices}: the configured devices (pipelines) with their state, and the host's mdevs;</li>
 *   <li>{@code sinks}: every sink of every device with its counters, and sink configurations that
 *       are attached to nothing;</li>
 *   <li>{@code stats [DEVICE]}: the pipelines' counters;</li>
 *   <li>{@code attach SINKTYPE DEVICE [key=value...]}: a new sink, as a factory configuration of
 *       the sink type's factory PID ({@code io.github.scanout.sink.file} for {@code file}; SINKTYPE
 *       may be the full PID) named {@code SINKTYPE-N} unless {@code sink.name} is given; returns
 *       its SINKID. The type and its keys are those the installed bundles' metatype declares
 *       ({@link SinkTypes}); the keys and values are checked up front with the configuration
 *       toolkit ({@link ConfigReader}), as the launcher checks {@code --sink} and the sink checks
 *       a {@code conf/} file, so a refused value is one line and nothing is configured; warnings
 *       (unknown keys, old spellings) come first in the output;</li>
 *   <li>{@code detach SINKID}: deletes that sink's configuration (SINKID: its name or PID);</li>
 *   <li>{@code keys [SINKTYPE]}: the installed sink types, or a type's keys with what each accepts,
 *       its default and its description ({@link ConfigKey#table});</li>
 *   <li>{@code snapshot DEVICE FILE.png}: the device's current frame as a PNG ({@link Snapshot}).</li>
 * </ul>
 * Configurations made by {@code attach} live in ConfigAdmin, not in files: in the Scanout runtime
 * they last until the process ends. A sink configured by a file in {@code conf/} is detached until
 * that file changes or the runtime restarts.
 *
 * <p>Threads: Gogo calls the commands on the shell's thread; SCR the bind methods on its own.
 */
@Component(service = ScanoutCommands.class, property = {
    "osgi.command.scope=scanout",
    "osgi.command.function=devices",
    "osgi.command.function=sinks",
    "osgi.command.function=stats",
    "osgi.command.function=attach",
    "osgi.command.function=detach",
    "osgi.command.function=snapshot",
    "osgi.command.function=keys"})
public final class ScanoutCommands {
    /** Factory PIDs under this prefix are sink configurations (as are those with a device key). */
    static final String SINK_PID_PREFIX = "io.github.scanout.sink.";
    /** What {@code scanout:attach} prints when it is not given a type and a device. */
    static final String ATTACH_USAGE = "usage: scanout:attach SINKTYPE DEVICE [key=value...], for example"
            + " scanout:attach file sim:mbochs path=/tmp/shots";
    static final Duration WAIT = Duration.ofSeconds(3);
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(5);

    private final ConfigurationAdmin cm;
    private final Supplier<Map<String, SinkBundles.Offer>> sinkTypes;
    private final List<ManagedPipeline> pipelines = new CopyOnWriteArrayList<>();

    @Activate
    public ScanoutCommands(@Reference(name = "cm") ConfigurationAdmin cm, BundleContext context) {
        // read at each attach: sink bundles come and go (deploy/, bundles installed later)
        this(cm, () -> SinkTypes.installed(context));
    }

    /** @param sinkTypes the installed sink types by name, read at each {@code attach} */
    ScanoutCommands(ConfigurationAdmin cm, Supplier<Map<String, SinkBundles.Offer>> sinkTypes) {
        this.cm = cm;
        this.sinkTypes = sinkTypes;
    }

    @Reference(name = "pipelines", service = ManagedPipeline.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removePipeline")
    void addPipeline(ManagedPipeline pipeline) {
        pipelines.add(pipeline);
    }

    void removePipeline(ManagedPipeline pipeline) {
        pipelines.remove(pipeline);
    }

    // ---- devices ------------------------------------------------------------------------------

    /** {@code scanout:devices}. */
    @Descriptor("the configured devices with their state, and the host's mediated devices")
    public String devices() {
        StringBuilder b = new StringBuilder();
        List<PipelineStats> all = collect(null);
        b.append(all.isEmpty() ? "No configured devices (add an io.github.scanout.device configuration).\n"
                : "Configured devices:\n");
        for (PipelineStats s : all) {
            b.append(String.format(Locale.ROOT, "  %-24s %-10s %-7s %5.1f Hz  %d sinks  %s%s%n", s.name(), s.state(),
                    s.source().isEmpty() ? "-" : s.source(), s.rateHz(), s.sinks().size(), s.spec(),
                    s.reason().isEmpty() ? "" : "  (" + s.reason() + ")"));
        }
        try {
            Devices host = new Devices(List.of());
            List<MdevInfo> mdevs = host.list();
            if (mdevs.isEmpty()) {
                b.append("No mediated devices on this host; simulated ones: sim:mdpy-vga, sim:mdpy-xga, sim:mdpy-hd,"
                        + " sim:mbochs, sim:gvt.\n");
            } else {
                b.append("Host mdevs:\n");
                for (MdevInfo m : mdevs) {
                    b.append("  ").append(m).append('\n');
                    for (String line : host.holders(m)) { // read from /proc: no mdev is opened
                        b.append("    ").append(line).append('\n');
                    }
                }
            }
        } catch (DeviceException e) {
            b.append("Host mdevs: cannot list them: ").append(e.getMessage()).append('\n');
        }
        return b.toString();
    }

    // ---- sinks --------------------------------------------------------------------------------

    /** {@code scanout:sinks}. */
    @Descriptor("every sink of every device with its counters, and sink configurations attached to nothing")
    public String sinks() throws IOException {
        StringBuilder b = new StringBuilder();
        List<String> attachedNames = new ArrayList<>();
        for (PipelineStats s : collect(null)) {
            for (SinkStats k : s.sinks()) {
                attachedNames.add(k.name());
                b.append(String.format(Locale.ROOT, "  %-24s %-30s delivered %d, dropped %d, errors %d, queued %d,"
                        + " no-signal %d, latency p50 %d us%n", s.name(), k.name(), k.delivered(), k.dropped(), k.errors(),
                        k.queued(), k.noSignals(), k.latencyP50Micros()));
            }
        }
        StringBuilder idle = new StringBuilder();
        for (Configuration c : sinkConfigurations()) {
            Dictionary<String, Object> p = c.getProperties();
            if (p == null) {
                continue;
            }
            String name = sinkName(c);
            if (!attachedNames.contains(name) && !attachedNames.contains(c.getPid())) {
                idle.append("  ").append(c.getPid()).append(": device '").append(p.get(FrameSink.DEVICE_PROPERTY))
                        .append("', not attached (no such device, or the sink refused its configuration: see the log)\n");
            }
        }
        String head = b.length() == 0 ? "No attached sinks.\n" : "  DEVICE                   SINK\n";
        return head + b + (idle.length() == 0 ? "" : "Sink configurations attached to nothing:\n" + idle);
    }

    // ---- stats --------------------------------------------------------------------------------

    /** {@code scanout:stats}: every device. */
    @Descriptor("the counters of every device's pipeline and sinks")
    public String stats() {
        return render(collect(null));
    }

    /** {@code scanout:stats DEVICE}. */
    @Descriptor("the counters of one device's pipeline and sinks")
    public String stats(@Descriptor("the device's name, as scanout:devices lists it") String device) {
        return render(List.of(pipeline(device).stats()));
    }

    static String render(List<PipelineStats> all) {
        if (all.isEmpty()) {
            return "No configured devices.\n";
        }
        StringBuilder b = new StringBuilder();
        for (PipelineStats s : all) {
            b.append(s).append('\n');
            for (SinkStats k : s.sinks()) {
                b.append("  ").append(k).append('\n');
                for (SinkClient c : k.clients()) {
                    b.append("    client ").append(c).append('\n');
                }
            }
        }
        return b.toString();
    }

    private List<PipelineStats> collect(String onlyDevice) {
        List<PipelineStats> out = new ArrayList<>();
        for (ManagedPipeline p : pipelines) {
            try {
                PipelineStats s = p.stats();
                if (onlyDevice == null || s.name().equals(onlyDevice)) {
                    out.add(s);
                }
            } catch (RuntimeException e) {
                // going away
            }
        }
        out.sort(Comparator.comparing(PipelineStats::name));
        return out;
    }

    private ManagedPipeline pipeline(String device) {
        List<String> names = new ArrayList<>();
        for (ManagedPipeline p : pipelines) {
            try {
                String n = p.name();
                if (n.equals(device)) {
                    return p;
                }
                names.add(n);
            } catch (RuntimeException e) {
                // going away
            }
        }
        names.sort(null);
        throw new IllegalArgumentException("no device named '" + device + "'; configured: " + names);
    }

    // ---- keys ---------------------------------------------------------------------------------

    /**
     * The installed sink type of this name or factory PID.
     *
     * @throws IllegalArgumentException naming the known types when there is none
     */
    private SinkBundles.Offer sinkType(String type) {
        Map<String, SinkBundles.Offer> types = sinkTypes.get();
        SinkBundles.Offer sinkType = type.contains(".")
                ? types.values().stream().filter(t -> t.pid().equals(type)).findFirst().orElse(null)
                : types.get(type.toLowerCase(Locale.ROOT));
        if (sinkType == null) {
            throw new IllegalArgumentException("no sink type " + type + " (known: " + SinkBundles.knownNames(types.keySet()) + ")");
        }
        return sinkType;
    }

    /** {@code scanout:keys} without a type: the installed sink types. */
    @Descriptor("lists the installed sink types (scanout:keys TYPE lists a type's keys)")
    public String keys() {
        return "sink types: " + SinkBundles.knownNames(sinkTypes.get().keySet()) + " (scanout:keys TYPE lists a type's keys)";
    }

    /**
     * {@code scanout:keys TYPE}: the type's configuration keys, each with what it accepts, its
     * default and its description, from the metatype of the sink's bundle (the declaration the
     * sink, {@code --sink} and {@code attach} check values with; the MetaType service serves the
     * same to OSGi tools).
     */
    @Descriptor("lists a sink type's configuration keys: what each accepts, its default and what it does")
    public String keys(@Descriptor("the sink type, such as file or vnc, or its factory PID") String type) {
        SinkBundles.Offer t = sinkType(type);
        return t.name() + " sink keys (configuration factory PID " + t.pid() + "):\n" + ConfigKey.table(t.keys()).stripTrailing();
    }

    // ---- attach / detach ----------------------------------------------------------------------

    /** {@code scanout:attach} without arguments: the usage line (Gogo would say "Cannot coerce attach()"). */
    @Descriptor("prints how to attach a sink")
    public String attach() {
        return ATTACH_USAGE;
    }

    /** {@code scanout:attach SINKTYPE} without a device: the usage line. */
    @Descriptor("prints how to attach a sink")
    public String attach(@Descriptor("the sink type, such as file or vnc") String type) {
        return ATTACH_USAGE;
    }

    /**
     * {@code scanout:attach SINKTYPE DEVICE [key=value...]}.
     *
     * @return the warnings about the configuration (one line each), then one line: the SINKID and
     *     whether the sink is attached
     * @throws IllegalArgumentException with one line when the type, the device, an option or a
     *     value is refused; nothing is configured then
     */
    @Descriptor("attaches a new sink of a type to a device and prints its SINKID")
    public String attach(@Descriptor("the sink type, such as file or vnc, or its factory PID") String type,
            @Descriptor("the device's name, as scanout:devices lists it") String device,
            @Descriptor("the sink's settings, key=value each (sink.name=NAME names it)") String... options)
            throws IOException, InterruptedException {
        SinkBundles.Offer sinkType = sinkType(type);
        pipeline(device); // refuses an unknown device
        Map<String, Object> props = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + o + "' is not key=value");
            }
            String key = o.substring(0, eq).trim();
            if (key.equals(FrameSink.DEVICE_PROPERTY)) {
                throw new IllegalArgumentException("device is the second argument, not an option");
            }
            if (props.put(key, o.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
        }
        Object given = props.get(FrameSink.NAME_PROPERTY);
        String name = given != null && !given.toString().isBlank() ? given.toString().trim() : freeName(sinkType.name());
        props.put(FrameSink.DEVICE_PROPERTY, device);
        props.put(FrameSink.NAME_PROPERTY, name);
        // the PID the configuration gets, so the message names what the sink itself would name
        ConfigReader reader = new ConfigReader("configuration " + sinkType.pid() + "~" + name, sinkType.keys(), props);
        reader.check();
        Configuration c = cm.getFactoryConfiguration(sinkType.pid(), name, "?");
        if (c.getProperties() != null) {
            throw new IllegalArgumentException("a sink named '" + name + "' is configured already (" + c.getPid() + ")");
        }
        c.update(new Hashtable<>(props));
        boolean attached = await(() -> attachedTo(device, name));
        StringBuilder out = new StringBuilder();
        for (String w : reader.warnings()) {
            out.append("warning: ").append(w).append('\n');
        }
        return out + (attached ? "attached " + name + " to " + device + " (configuration " + c.getPid() + ")"
                : "configured " + name + " (" + c.getPid() + ") for " + device + ", but it is not attached after "
                + WAIT.toSeconds() + " s: the sink refused its configuration or its bundle is not there (see the log)");
    }

    /** {@code scanout:detach SINKID}: SINKID is the sink's name (as {@code sinks} shows) or its configuration PID. */
    @Descriptor("detaches a sink and deletes its configuration")
    public String detach(@Descriptor("the sink's name (as scanout:sinks shows it) or its configuration PID") String sinkId)
            throws IOException, InterruptedException {
        Configuration found = null;
        for (Configuration c : sinkConfigurations()) {
            if (c.getPid().equals(sinkId) || sinkId.equals(sinkName(c))) {
                found = c;
                break;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no sink configuration '" + sinkId + "'; scanout:sinks lists them");
        }
        String name = sinkName(found);
        String pid = found.getPid();
        found.delete();
        boolean gone = await(() -> !attachedAnywhere(name) && !attachedAnywhere(pid));
        return gone ? "detached " + name + " (configuration " + pid + " deleted)"
                : "deleted configuration " + pid + "; the sink is still detaching (see scanout:sinks)";
    }

    private String freeName(String base) throws IOException {
        List<String> taken = new ArrayList<>();
        for (Configuration c : sinkConfigurations()) {
            taken.add(sinkName(c));
        }
        for (PipelineStats s : collect(null)) {
            s.sinks().forEach(k -> taken.add(k.name()));
        }
        for (int i = 1;; i++) {
            String n = base + "-" + i;
            if (!taken.contains(n)) {
                return n;
            }
        }
    }

    private List<Configuration> sinkConfigurations() throws IOException {
        Configuration[] found;
        try {
            found = cm.listConfigurations("(service.factoryPid=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Configuration> out = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                Dictionary<String, Object> p = c.getProperties();
                String factory = c.getFactoryPid();
                if (p != null && factory != null && (factory.startsWith(SINK_PID_PREFIX) || p.get(FrameSink.DEVICE_PROPERTY) != null)
                        && !factory.equals("io.github.scanout.device")) {
                    out.add(c);
                }
            }
        }
        out.sort(Comparator.comparing(Configuration::getPid));
        return out;
    }

    /** The name a sink of this configuration has in stats (the pipeline's rule: sink.name, else its PID). */
    private static String sinkName(Configuration c) {
        Dictionary<String, Object> p = c.getProperties();
        Object n = p == null ? null : p.get(FrameSink.NAME_PROPERTY);
        return n instanceof String s && !s.isBlank() ? s.trim() : c.getPid();
    }

    private boolean attachedTo(String device, String sink) {
        return collect(device).stream().anyMatch(s -> s.sink(sink) != null);
    }

    private boolean attachedAnywhere(String sink) {
        return collect(null).stream().anyMatch(s -> s.sink(sink) != null);
    }

    private static boolean await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    // ---- snapshot -----------------------------------------------------------------------------

    /** {@code scanout:snapshot DEVICE FILE.png}. */
    @Descriptor("writes the device's current picture to a PNG file")
    public String snapshot(@Descriptor("the device's name, as scanout:devices lists it") String device,
            @Descriptor("the PNG file to write (its directory must exist)") String file)
            throws IOException, InterruptedException {
        Snapshot.Written w = Snapshot.take(pipeline(device), Path.of(file), SNAPSHOT_TIMEOUT);
        return "wrote " + w.file() + " (" + w.plane().width() + "x" + w.plane().height() + " " + w.plane().format()
                + ", frame " + w.sequence() + " of " + device + ")";
    }
}
