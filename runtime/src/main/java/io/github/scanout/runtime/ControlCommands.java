package io.github.scanout.runtime;

import io.github.scanout.runtime.ControlServer.Reply;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;

/**
 * The verbs of the control socket, run inside the instance: {@code status}, {@code devices},
 * {@code sinks}, {@code stats}, {@code attach TYPE DEVICE key=value...}, {@code detach NAME},
 * {@code snapshot DEVICE FILE}, {@code keys [TYPE]}. Each answers in text or in JSON (schema {@value #SCHEMA},
 * documented in the operator guide). Sinks are attached as configurations, checked first with
 * the same rules and messages as {@code --sink}; they live as long as the instance (they are not
 * written to {@code conf/}).
 *
 * <p>Threads: any; one request per thread.
 */
final class ControlCommands implements ControlServer.Handler {
    static final String SCHEMA = "scanout-ctl/1";
    /** plugin-metrics' MetricsComponent.URL_PROPERTY (the runtime does not depend on that bundle). */
    static final String METRICS_URL = "scanout.metrics.url";
    /** plugin-web's WebComponent.URL_PROPERTY. */
    static final String WEB_URL = "scanout.web.url";
    static final String VERBS = "status, devices, sinks, stats, attach, detach, snapshot, keys";
    static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(5);
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);
    /** The verbs {@link #readModel} answers. */
    static final List<String> MODEL_VERBS = List.of("devices", "sinks", "keys", "keys TYPE");
    /** The service property of the read-only model registered for plugin-web; its value is {@link #SCHEMA}. */
    static final String MODEL_PROPERTY = "scanout.ctl.model";
    /** The verbs {@link #act} runs. */
    static final List<String> ACT_VERBS = List.of("attach", "detach");
    /** The service property of the actions registered for plugin-web ({@link #act}); its value is {@link #SCHEMA}. */
    static final String ACT_PROPERTY = "scanout.ctl.act";
    /** The shortest window {@code fps} is measured over. */
    static final long FPS_WINDOW_NANOS = Duration.ofSeconds(1).toNanos();

    private final BundleContext ctx;
    private final ConfigAdminClient cm;
    private final long startNanos = System.nanoTime();
    private final Map<String, String> fromCommandLine;
    /** The sink types the distribution's bundles offer, read as the launcher reads them. */
    private final Map<String, SinkType> sinkTypes;
    /** Sinks attached through this socket: name to configuration PID. */
    private final Map<String, String> attached = new ConcurrentHashMap<>();
    private volatile Path socket;
    /** Per device: the reading {@code fps} is measured from ({nanos, captured}) and the last rate. */
    private final Map<String, double[]> rates = new ConcurrentHashMap<>();

    /**
     * @param fromCommandLine the names of the sinks given with {@code --sink} (they cannot be
     *     detached here), to their device
     */
    ControlCommands(BundleContext ctx, ConfigAdminClient cm, Map<String, String> fromCommandLine,
            Map<String, SinkType> sinkTypes) {
        this.sinkTypes = Map.copyOf(sinkTypes);
        this.ctx = ctx;
        this.cm = cm;
        this.fromCommandLine = Map.copyOf(fromCommandLine);
    }

    void socket(Path path) {
        this.socket = path;
    }

    /** Deletes the configurations of the sinks attached here (when the instance stops). */
    void detachAll() {
        for (String pid : attached.values()) {
            try {
                cm.delete(pid);
            } catch (RuntimeException e) {
                // the framework is stopping
            }
        }
        attached.clear();
    }

    @Override
    public Reply handle(ControlRequest r) {
        try {
            return switch (r.verb()) {
                case "status" -> noArgs(r).orElseGet(() -> status(r.json()));
                case "devices" -> noArgs(r).orElseGet(() -> devices(r.json()));
                case "sinks" -> noArgs(r).orElseGet(() -> sinks(r.json()));
                case "stats" -> noArgs(r).orElseGet(() -> stats(r.json()));
                case "attach" -> attach(r);
                case "detach" -> detach(r);
                case "snapshot" -> snapshot(r);
                case "keys" -> keys(r);
                default -> Reply.bad("unknown command '" + r.verb() + "'; expected " + VERBS);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.failed("interrupted: the instance is stopping");
        } catch (IllegalStateException e) {
            return Reply.failed("the instance is stopping: " + e.getMessage());
        }
    }

    private static Optional<Reply> noArgs(ControlRequest r) {
        return r.args().isEmpty() ? Optional.empty()
                : Optional.of(Reply.bad("'" + r.verb() + "' takes no arguments, got '" + r.args().get(0) + "'"));
    }

    private static Map<String, Object> envelope(String command) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("command", command);
        return m;
    }

    // ---- reading ---------------------------------------------------------------------------------

    private Reply status(boolean json) {
        List<Pipelines.Stats> all = Pipelines.all(ctx);
        String version = Launcher.class.getPackage().getImplementationVersion();
        long pid = ProcessHandle.current().pid();
        long up = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
        Map<String, Long> states = new LinkedHashMap<>();
        int sinks = 0;
        for (Pipelines.Stats s : all) {
            states.merge(s.state().toLowerCase(Locale.ROOT), 1L, Long::sum);
            sinks += s.sinks().size();
        }
        if (json) {
            Map<String, Object> m = envelope("status");
            m.put("version", version == null ? "development" : version);
            m.put("pid", pid);
            m.put("uptimeSeconds", up);
            m.put("control", String.valueOf(socket));
            m.put("devices", all.size());
            m.put("deviceStates", states);
            m.put("sinks", sinks);
            m.put("metrics", metricsUrl() == null ? "" : metricsUrl());
            m.put("web", endpointUrl(WEB_URL) == null ? "" : endpointUrl(WEB_URL));
            m.put("resources", resources());
            return Reply.ok(Json.write(m));
        }
        StringBuilder b = new StringBuilder("scanout " + (version == null ? "(development build)" : version) + ", pid "
                + pid + ", up " + up + " s, control socket " + socket + "\n");
        b.append(summary(all)).append('\n');
        String metrics = metricsUrl();
        if (metrics != null) {
            b.append("metrics ").append(metrics).append('\n');
        }
        String web = endpointUrl(WEB_URL);
        if (web != null) {
            b.append("web ").append(web).append('\n');
        }
        Map<String, Object> r = resources();
        b.append("resources: ").append(r.get("leases")).append(" leases (").append(r.get("leasesLeaked"))
                .append(" leaked), ").append(r.get("mappings")).append(" mappings (").append(r.get("mappedBytes"))
                .append(" bytes), ").append(r.get("fds")).append(" fds, ").append(r.get("threads"))
                .append(" threads (").append(r.get("scanoutThreads")).append(" scanout-), heap ").append(r.get("heapUsedBytes")).append(" bytes used\n");
        return Reply.ok(b.toString());
    }

    /**
     * What the instance holds now, for watching it over time (the distribution soak compares
     * these before and after): live and leaked frame leases (the api's {@code Leases}), live
     * device mappings and their bytes (core's {@code Resources}), open fds, live threads and
     * the threads that Scanout's code started ({@code scanout-...}), the heap in use (not after a GC: run {@code jcmd PID GC.run} first for that). A count the
     * instance cannot read (a bundle not started) is -1.
     */
    private Map<String, Object> resources() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leases", staticLong("io.github.scanout.api", "io.github.scanout.api.buffer.Leases", "live"));
        m.put("leasesLeaked", staticLong("io.github.scanout.api", "io.github.scanout.api.buffer.Leases", "leaked"));
        m.put("mappings", staticLong("io.github.scanout.core", "io.github.scanout.core.Resources", "liveMappings"));
        m.put("mappedBytes", staticLong("io.github.scanout.core", "io.github.scanout.core.Resources", "mappedBytes"));
        long fds = -1;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count() - 1;
        } catch (IOException | RuntimeException e) {
            // not Linux's /proc: unknown
        }
        m.put("fds", fds);
        m.put("threads", (long) java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
        m.put("scanoutThreads", Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("scanout-")).count());
        m.put("heapUsedBytes", java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        return m;
    }

    /** A static no-argument long method of a class in a bundle (launcher code does not link to bundles); -1 when unreachable. */
    private long staticLong(String bundle, String className, String method) {
        for (org.osgi.framework.Bundle b : ctx.getBundles()) {
            if (bundle.equals(b.getSymbolicName())) {
                try {
                    return ((Number) b.loadClass(className).getMethod(method).invoke(null)).longValue();
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The Prometheus endpoint's URL when the metrics bundle serves one (plugin-metrics' service property); else null. */
    private String metricsUrl() {
        return endpointUrl(METRICS_URL);
    }

    /** The URL in the service property {@code property} of a registered endpoint address (an optional bundle's); else null. */
    private String endpointUrl(String property) {
        try {
            for (var ref : ctx.getServiceReferences(java.net.InetSocketAddress.class, "(" + property + "=*)")) {
                return String.valueOf(ref.getProperty(property));
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            // the filter is constant; a stopping framework has no endpoint
        }
        return null;
    }

    /** {@code 2 devices: 1 running, 1 no_signal; 3 sinks}. */
    static String summary(List<Pipelines.Stats> all) {
        Map<String, Long> states = new LinkedHashMap<>();
        int sinks = 0;
        for (Pipelines.Stats s : all) {
            states.merge(s.state().toLowerCase(Locale.ROOT), 1L, Long::sum);
            sinks += s.sinks().size();
        }
        StringBuilder b = new StringBuilder(all.size() + (all.size() == 1 ? " device" : " devices"));
        String sep = ": ";
        for (Map.Entry<String, Long> e : states.entrySet()) {
            b.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        return b.append("; ").append(sinks).append(sinks == 1 ? " sink" : " sinks").toString();
    }

    private Reply devices(boolean json) {
        List<Pipelines.Stats> all = Pipelines.all(ctx);
        if (json) {
            return Reply.ok(Json.write(devicesModel(all)));
        }
        if (all.isEmpty()) {
            return Reply.ok("no devices are configured\n");
        }
        StringBuilder b = new StringBuilder();
        for (Pipelines.Stats s : all) {
            b.append(s.name()).append(": ").append(s.state().toLowerCase(Locale.ROOT))
                    .append(s.reason().isEmpty() ? "" : " (" + s.reason() + ")")
                    .append(", spec ").append(s.spec())
                    .append(s.source().isEmpty() ? "" : ", source " + s.source())
                    .append(s.mode().isEmpty() ? "" : ", mode " + s.mode())
                    .append(", ").append(s.sinks().size()).append(s.sinks().size() == 1 ? " sink" : " sinks").append('\n');
        }
        return Reply.ok(b.toString());
    }

    private Map<String, Object> devicesModel(List<Pipelines.Stats> all) {
        List<Object> list = new ArrayList<>();
        for (Pipelines.Stats s : all) {
            list.add(device(s, false));
        }
        Map<String, Object> m = envelope("devices");
        m.put("devices", list);
        return m;
    }

    private Map<String, Object> sinksModel(List<Pipelines.Stats> all) {
        List<Object> list = new ArrayList<>();
        for (Pipelines.Stats s : all) {
            for (Pipelines.Sink k : s.sinks()) {
                list.add(sink(s, k));
            }
        }
        Map<String, Object> m = envelope("sinks");
        m.put("sinks", list);
        return m;
    }

    /**
     * The read-only model for other readers in the instance (the web console, plugin-web): for
     * {@code devices}, {@code sinks}, {@code keys} or {@code keys TYPE}, {@code json} is exactly what
     * {@code scanout ctl VERB --json} prints and {@code model} the same as maps, lists, strings and numbers (JDK types:
     * the launcher's classes are not visible to bundles). Anything else: {@code error}.
     */
    Map<String, Object> readModel(String verb) {
        Map<String, Object> m;
        try {
            if (verb.startsWith("keys ")) {
                SinkType t = sinkType(verb.substring(5));
                if (t == null) {
                    return Map.of("error", noSuchType(verb.substring(5)));
                }
                m = keysModel(t);
            } else {
                m = switch (verb) {
                    case "devices" -> devicesModel(Pipelines.all(ctx));
                    case "sinks" -> sinksModel(Pipelines.all(ctx));
                    case "keys" -> typesModel();
                    default -> null;
                };
            }
        } catch (IllegalStateException e) {
            return Map.of("error", "the instance is stopping: " + e.getMessage());
        }
        if (m == null) {
            return Map.of("error", "'" + verb + "' is not a read-only model; expected " + String.join(", ", MODEL_VERBS));
        }
        return Map.of("model", m, "json", Json.write(m));
    }

    /**
     * The changing verbs for other callers in the instance (the web console's forms): {@code
     * request} is the verb ({@link #ACT_VERBS}) and its arguments as {@code scanout ctl} takes
     * them ({@code attach TYPE DEVICE key=value...}, {@code detach NAME}), run by the same code as
     * the control socket's. The answer: {@code status} (0 done, 1 failed, 2 bad request, as the
     * socket's) and {@code message} (the text reply, one line).
     */
    Map<String, Object> act(List<String> request) {
        if (request.isEmpty() || !ACT_VERBS.contains(request.get(0))) {
            return Map.of("status", 2, "message", "'" + (request.isEmpty() ? "" : request.get(0)) + "' is not an action;"
                    + " expected " + String.join(", ", ACT_VERBS));
        }
        Reply r = handle(new ControlRequest(false, request.get(0), request.subList(1, request.size())));
        return Map.of("status", r.status(), "message", r.body().strip());
    }

    private Reply sinks(boolean json) {
        List<Pipelines.Stats> all = Pipelines.all(ctx);
        if (json) {
            return Reply.ok(Json.write(sinksModel(all)));
        }
        StringBuilder b = new StringBuilder();
        for (Pipelines.Stats s : all) {
            for (Pipelines.Sink k : s.sinks()) {
                b.append(sinkLine(s, k)).append('\n');
            }
        }
        return Reply.ok(b.length() == 0 ? "no sinks are attached\n" : b.toString());
    }

    /**
     * {@code keys}: the sink types; {@code keys TYPE}: the type's configuration keys, each with
     * what it accepts, its default and its description, from the metatype of the sink's bundle
     * ({@link SinkType#keys()}: the declaration {@code attach} and {@code --sink} check with).
     * In JSON each key is {@code name, type, min, max, options, default, required, description}
     * (the model a configuration form needs).
     */
    private Reply keys(ControlRequest r) {
        if (r.args().size() > 1) {
            return Reply.bad("usage: keys [TYPE]; got " + r.args().size() + " arguments");
        }
        if (r.args().isEmpty()) {
            if (r.json()) {
                return Reply.ok(Json.write(typesModel()));
            }
            return Reply.ok("sink types: " + String.join(", ", new java.util.TreeSet<>(sinkTypes.keySet()))
                    + " (keys TYPE lists a type's keys)\n");
        }
        String name = r.args().get(0);
        SinkType t = sinkType(name);
        if (t == null) {
            return Reply.bad(noSuchType(name));
        }
        if (r.json()) {
            return Reply.ok(Json.write(keysModel(t)));
        }
        return Reply.ok(t.name() + " sink keys (configuration factory PID " + t.pid() + "; TARGET sets " + t.targetKey()
                + "):\n" + io.github.scanout.api.support.ConfigKey.table(t.keys()));
    }

    private String noSuchType(String name) {
        return "no sink type " + name + " (known: " + String.join(", ", new java.util.TreeSet<>(sinkTypes.keySet())) + ")";
    }

    /** A sink type by name (any case) or factory PID; null when none. */
    private SinkType sinkType(String name) {
        SinkType t = sinkTypes.get(name.toLowerCase(Locale.ROOT));
        return t != null ? t : sinkTypes.values().stream().filter(x -> x.pid().equals(name)).findFirst().orElse(null);
    }

    private Map<String, Object> typesModel() {
        Map<String, Object> m = envelope("keys");
        List<Object> types = new ArrayList<>();
        for (SinkType t : new java.util.TreeMap<>(sinkTypes).values()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("type", t.name());
            tm.put("pid", t.pid());
            types.add(tm);
        }
        m.put("types", types);
        return m;
    }

    private static Map<String, Object> keysModel(SinkType t) {
        Map<String, Object> m = envelope("keys");
        m.put("type", t.name());
        m.put("pid", t.pid());
        m.put("target", t.targetKey());
        List<Object> keys = new ArrayList<>();
        for (io.github.scanout.api.support.ConfigKey k : t.keys()) {
            Map<String, Object> km = new LinkedHashMap<>();
            km.put("name", k.name());
            km.put("type", k.type().name().toLowerCase(Locale.ROOT));
            km.put("min", k.min() == null ? null : new java.math.BigDecimal(k.min().toPlainString()));
            km.put("max", k.max() == null ? null : new java.math.BigDecimal(k.max().toPlainString()));
            km.put("options", k.options());
            km.put("default", k.defaultValue());
            km.put("required", k.required());
            km.put("description", k.description());
            keys.add(km);
        }
        m.put("keys", keys);
        return m;
    }

    private String sinkLine(Pipelines.Stats s, Pipelines.Sink k) {
        return k.name() + " on " + s.name() + " (" + origin(k.name()) + "): received " + k.delivered() + ", wrote "
                + k.written() + (k.bytesWritten() > 0 ? " (" + RunCommand.bytes(k.bytesWritten()) + ")" : "")
                + ", dropped " + k.dropped() + ", errors " + k.errors()
                + (k.lastError().isEmpty() ? "" : ", last error: " + k.lastError())
                + (k.noPicture().isEmpty() ? "" : ", no picture: " + k.noPicture());
    }

    private String origin(String sinkName) {
        return attached.containsKey(sinkName) ? "ctl" : fromCommandLine.containsKey(sinkName) ? "command line" : "conf";
    }

    private Reply stats(boolean json) {
        List<Pipelines.Stats> all = Pipelines.all(ctx);
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Pipelines.Stats s : all) {
                list.add(device(s, true));
            }
            Map<String, Object> m = envelope("stats");
            m.put("devices", list);
            return Reply.ok(Json.write(m));
        }
        StringBuilder b = new StringBuilder();
        for (Pipelines.Stats s : all) {
            b.append(s.name()).append(": ").append(s.state().toLowerCase(Locale.ROOT))
                    .append(s.reason().isEmpty() ? "" : " (" + s.reason() + ")")
                    .append(", captured ").append(s.captured()).append(", delivered ").append(s.delivered())
                    .append(", dropped ").append(s.dropped()).append('\n');
            for (Pipelines.Sink k : s.sinks()) {
                b.append("  ").append(sinkLine(s, k)).append(", latency p50 ").append(k.latencyP50Micros())
                        .append(" us p99 ").append(k.latencyP99Micros()).append(" us\n");
                for (Pipelines.Client c : k.clients()) {
                    b.append("    client ").append(c.line()).append('\n');
                }
            }
        }
        return Reply.ok(b.length() == 0 ? "no devices are configured\n" : b.toString());
    }

    private Map<String, Object> device(Pipelines.Stats s, boolean withSinks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("spec", s.spec());
        m.put("state", s.state().toLowerCase(Locale.ROOT));
        m.put("reason", s.reason());
        m.put("source", s.source());
        m.put("mode", s.mode());
        m.put("captured", s.captured());
        m.put("delivered", s.delivered());
        m.put("dropped", s.dropped());
        m.put("fps", fps(s.name(), s.captured(), System.nanoTime()));
        m.put("latencyP50Micros", s.latencyP50Micros());
        m.put("latencyP99Micros", s.latencyP99Micros());
        if (withSinks) {
            List<Object> sinks = new ArrayList<>();
            for (Pipelines.Sink k : s.sinks()) {
                sinks.add(sink(s, k));
            }
            m.put("sinks", sinks);
        } else {
            m.put("sinks", s.sinks().size());
        }
        return m;
    }

    /**
     * Frames captured per second (changed frames; a still picture is 0), over the time since the
     * reading it is measured from, at least {@link #FPS_WINDOW_NANOS} ago; the rate of the last
     * full window in between, and 0 before the first. One decimal.
     */
    double fps(String device, long captured, long now) {
        double[] r = rates.compute(device, (k, old) -> {
            if (old == null || captured < old[1]) {
                return new double[] {now, captured, 0}; // first reading, or the pipeline reopened
            }
            double dt = now - old[0];
            if (dt < FPS_WINDOW_NANOS) {
                return old;
            }
            return new double[] {now, captured, (captured - old[1]) * 1e9 / dt};
        });
        return Math.round(r[2] * 10) / 10.0;
    }

    private Map<String, Object> sink(Pipelines.Stats s, Pipelines.Sink k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", k.name());
        m.put("device", s.name());
        m.put("origin", origin(k.name()));
        m.put("received", k.delivered());
        m.put("written", k.written());
        m.put("bytesWritten", k.bytesWritten());
        m.put("dropped", k.dropped());
        m.put("errors", k.errors());
        m.put("lastError", k.lastError());
        m.put("noPicture", k.noPicture());
        m.put("latencyP50Micros", k.latencyP50Micros());
        m.put("latencyP99Micros", k.latencyP99Micros());
        m.put("clients", clients(k));
        return m;
    }

    /** A sink's clients in {@code --json} output: one object each, its encodings an object of counts. */
    static List<Object> clients(Pipelines.Sink k) {
        List<Object> out = new ArrayList<>();
        for (Pipelines.Client c : k.clients()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("peer", c.peer());
            m.put("since", c.since().toString());
            m.put("bytes", c.bytes());
            m.put("updates", c.updates());
            m.put("coalesced", c.coalesced());
            m.put("encodings", new LinkedHashMap<String, Object>(c.encodings()));
            out.add(m);
        }
        return out;
    }

    // ---- changing --------------------------------------------------------------------------------

    private Reply attach(ControlRequest r) throws InterruptedException {
        if (r.args().size() < 2) {
            return Reply.bad("usage: attach TYPE DEVICE [key=value ...], for example attach file sim:mbochs"
                    + " path=/var/lib/scanout/shots");
        }
        String typeName = r.args().get(0).toLowerCase(Locale.ROOT);
        SinkType type = sinkTypes.get(typeName);
        if (type == null) {
            return Reply.bad("no sink type " + r.args().get(0) + " (known: " + SinkType.knownNames(sinkTypes) + ")");
        }
        String device = r.args().get(1);
        Optional<Pipelines.Stats> pipeline = Pipelines.all(ctx).stream().filter(s -> s.name().equals(device)).findFirst();
        if (pipeline.isEmpty()) {
            return Reply.bad("no device " + device + " (devices: " + deviceNames() + ")");
        }
        String target = "";
        List<String> query = new ArrayList<>();
        for (String pair : r.args().subList(2, r.args().size())) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return Reply.bad("'" + pair + "' is not key=value");
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (key.equals(type.targetKey()) && target.isEmpty() && !value.contains("?")) {
                target = value;
            } else {
                query.add(key + "=" + value.replace("%", "%25").replace("&", "%26").replace("=", "%3D"));
            }
        }
        String text = type.name() + (target.isEmpty() ? "" : ":" + target) + (query.isEmpty() ? "" : "?" + String.join("&", query));
        SinkSpec spec;
        try {
            spec = SinkSpec.parse(text, sinkTypes);
        } catch (UsageException e) {
            return Reply.bad(e.getMessage().replace("--sink '" + text + "'", "attach " + type.name() + " " + device));
        }
        Map<String, Object> props = new LinkedHashMap<>(spec.properties());
        String name = (String) props.remove(SinkType.SINK_NAME);
        if (name == null || name.isBlank()) {
            name = freeName(type.name());
        } else if (taken(name)) {
            return Reply.bad("a sink named " + name + " is attached already; give another sink.name");
        }
        if (type.is(SinkType.FILE)) {
            // as for --sink: the path is the instance's, made absolute, and its directory created
            Path p = Path.of((String) props.get("path")).toAbsolutePath().normalize();
            boolean stream = !String.valueOf(props.getOrDefault("format", "png")).equalsIgnoreCase("png");
            Path dir = stream ? p.getParent() : p;
            try {
                if (dir != null) {
                    Files.createDirectories(dir);
                }
            } catch (IOException e) {
                return Reply.failed("attach " + type.name() + " " + device + ": cannot create the directory " + dir + " ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            }
            props.put("path", p.toString());
        }
        props.put(SinkType.DEVICE, device);
        props.put(SinkType.SINK_NAME, name);
        String pid = cm.put(type.pid(), "ctl-" + name, props);
        attached.put(name, pid);
        long deadline = System.nanoTime() + ATTACH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Pipelines.Stats> s = Pipelines.all(ctx).stream().filter(x -> x.name().equals(device)).findFirst();
            if (s.isPresent() && s.get().sink(name).isPresent()) {
                return Reply.ok(r.json() ? Json.write(attachedJson(name, device, spec)) : "attached " + name + " ("
                        + spec.text() + ") to " + device + "\n");
            }
            Thread.sleep(20);
        }
        attached.remove(name);
        cm.delete(pid);
        return Reply.failed("sink " + name + " (" + spec.text() + ") did not attach to " + device + " within "
                + ATTACH_TIMEOUT.toSeconds() + " s: no " + type.name() + " sink component took its configuration"
                + (type.is(SinkType.GL) ? " (the gl sink needs the GL bundle: start the instance with --gl on)"
                : " (see the instance's log)"));
    }

    private static Map<String, Object> attachedJson(String name, String device, SinkSpec spec) {
        Map<String, Object> m = envelope("attach");
        m.put("name", name);
        m.put("device", device);
        m.put("type", spec.type().name());
        return m;
    }

    private String deviceNames() {
        List<String> names = Pipelines.all(ctx).stream().map(Pipelines.Stats::name).sorted().toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private boolean taken(String name) {
        return attached.containsKey(name) || fromCommandLine.containsKey(name)
                || Pipelines.all(ctx).stream().anyMatch(s -> s.sink(name).isPresent());
    }

    private String freeName(String type) {
        for (int n = 1; ; n++) {
            String candidate = "ctl-" + type + "-" + n;
            if (!taken(candidate)) {
                return candidate;
            }
        }
    }

    private Reply detach(ControlRequest r) throws InterruptedException {
        if (r.args().size() != 1) {
            return Reply.bad("usage: detach NAME (the sink's name, as scanout ctl sinks lists it)");
        }
        String name = r.args().get(0);
        String pid = attached.remove(name);
        if (pid == null) {
            if (fromCommandLine.containsKey(name)) {
                return Reply.bad("sink " + name + " was given with --sink; it stays until the instance stops");
            }
            if (Pipelines.all(ctx).stream().anyMatch(s -> s.sink(name).isPresent())) {
                return Reply.bad("sink " + name + " comes from a configuration in conf/; remove its file there to"
                        + " detach it");
            }
            return Reply.bad("no sink " + name + " (attached here: "
                    + (attached.isEmpty() ? "none" : String.join(", ", attached.keySet().stream().sorted().toList())) + ")");
        }
        cm.delete(pid);
        long deadline = System.nanoTime() + ATTACH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && Pipelines.all(ctx).stream().anyMatch(s -> s.sink(name).isPresent())) {
            Thread.sleep(20);
        }
        if (r.json()) {
            Map<String, Object> m = envelope("detach");
            m.put("name", name);
            return Reply.ok(Json.write(m));
        }
        return Reply.ok("detached " + name + "\n");
    }

    private Reply snapshot(ControlRequest r) throws InterruptedException {
        if (r.args().size() != 2) {
            return Reply.bad("usage: snapshot DEVICE FILE.png");
        }
        String device = r.args().get(0);
        Path file = Path.of(r.args().get(1)).toAbsolutePath().normalize();
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            return Reply.bad("snapshot writes PNG; name the FILE *.png, got '" + r.args().get(1) + "'");
        }
        if (Pipelines.all(ctx).stream().noneMatch(s -> s.name().equals(device))) {
            return Reply.bad("no device " + device + " (devices: " + deviceNames() + ")");
        }
        Path work;
        try {
            work = Files.createTempDirectory(file.getParent(), ".scanout-snapshot-");
        } catch (IOException | RuntimeException e) {
            return Reply.failed("cannot write " + file + ": " + e.getMessage());
        }
        String name = freeName("snapshot");
        String pid = null;
        try {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("path", work.toString());
            props.put("format", "png");
            props.put(SinkType.DEVICE, device);
            props.put(SinkType.SINK_NAME, name);
            pid = cm.put(sinkTypes.get(SinkType.FILE).pid(), "ctl-" + name, props);
            attached.put(name, pid);
            long deadline = System.nanoTime() + SNAPSHOT_TIMEOUT.toNanos();
            Pipelines.Sink last = null;
            while (System.nanoTime() < deadline) {
                Optional<Pipelines.Sink> k = Pipelines.all(ctx).stream().filter(s -> s.name().equals(device)).findFirst()
                        .flatMap(s -> s.sink(name));
                if (k.isPresent()) {
                    last = k.get();
                    if (last.written() > 0) {
                        Path png = firstPng(work);
                        if (png != null) {
                            try {
                                Files.move(png, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                            } catch (AtomicMoveNotSupportedException e) {
                                Files.move(png, file, StandardCopyOption.REPLACE_EXISTING);
                            }
                            if (r.json()) {
                                Map<String, Object> m = envelope("snapshot");
                                m.put("device", device);
                                m.put("file", file.toString());
                                m.put("bytes", Files.size(file));
                                return Reply.ok(Json.write(m));
                            }
                            return Reply.ok("wrote " + file + " (" + Files.size(file) + " bytes) of " + device + "\n");
                        }
                    }
                }
                Thread.sleep(20);
            }
            String why = last == null ? "the snapshot sink did not attach"
                    : !last.noPicture().isEmpty() ? last.noPicture()
                    : !last.lastError().isEmpty() ? last.lastError() : "no frame arrived";
            return Reply.failed("no picture of " + device + " within " + SNAPSHOT_TIMEOUT.toSeconds() + " s: " + why);
        } catch (IOException e) {
            return Reply.failed("cannot write " + file + ": " + e.getMessage());
        } finally {
            if (pid != null) {
                attached.remove(name);
                cm.delete(pid);
            }
            deleteTree(work);
        }
    }

    private static Path firstPng(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.png")) {
            for (Path p : ds) {
                return p;
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // gone
        }
    }
}
