package io.github.scanout.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.SynchronousBundleListener;

/**
 * {@code scanout run} and {@code scanout shell}: starts the framework, turns {@code --device} and
 * {@code --sink} into configurations, reports when the device is live, waits for the duration,
 * the frame count, a signal or the shell's {@code exit}, then stops in order: the sinks'
 * configurations are deleted (each sink is detached, its queue drained and its files completed),
 * then the device's (capture stops, fds and mappings are released), then the framework.
 *
 * <p>Threads: {@link #run} on the main thread.
 */
final class RunCommand {
    /** The factory PID of device configurations (core's {@code ManagedPipeline.FACTORY_PID}). */
    static final String DEVICE_PID = "io.github.scanout.device";
    /** The PID of the Prometheus endpoint's configuration (plugin-metrics). */
    static final String METRICS_PID = "io.github.scanout.metrics";
    /** The PID of the web console's configuration (plugin-web). */
    static final String WEB_PID = "io.github.scanout.web";
    static final Duration FAILED_GRACE = Duration.ofSeconds(1);
    static final Duration NO_SIGNAL_GRACE = Duration.ofSeconds(3);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final CommandLine cl;
    private final Distribution dist;
    private final PrintStream out;
    private final PrintStream err;
    private final StopSignal stop;
    private final long startNanos;
    private final Map<String, String> env;

    RunCommand(CommandLine cl, Distribution dist, PrintStream out, PrintStream err, StopSignal stop, long startNanos,
            Map<String, String> env) {
        this.env = env;
        this.cl = cl;
        this.dist = dist;
        this.out = out;
        this.err = err;
        this.stop = stop;
        this.startNanos = startNanos;
    }

    /** The device's stats when it went live, and whether it had published a frame. */
    private record Live(Pipelines.Stats stats, boolean framed) {}

    /** A sink as configured: its name, its configuration's PID, its spec. */
    record Configured(String name, String pid, SinkSpec spec) {}

    /** A sink ready to be configured: its unique name, its spec, its properties. */
    private record Prepared(String name, SinkSpec spec, Map<String, String> properties) {}

    int run() throws InterruptedException {
        List<Prepared> sinkProps;
        try {
            sinkProps = prepareSinks();
        } catch (UsageException e) {
            err.println("scanout: " + e.getMessage());
            return 2;
        }
        boolean shell = cl.command() == CommandLine.Command.SHELL;
        RunDirectory runDir;
        try {
            runDir = RunDirectory.create(dist.cache());
            Files.createDirectories(dist.conf());
            Files.createDirectories(dist.deploy());
            deployCheck = new DeployCheck(dist.deploy());
            deployCheck.scan();
        } catch (IOException | RuntimeException e) {
            err.println("scanout: " + e.getMessage());
            return 1;
        }
        Natives.configure(dist.cache(), runDir.path());
        timing("run directory ready");
        EmbeddedFramework fw;
        try {
            fw = EmbeddedFramework.start(new EmbeddedFramework.Settings(runDir.path(), bundles(shell),
                    List.of(dist.conf(), dist.deploy()), 1000, shell ? shellProperties() : Map.of()));
        } catch (BundleException | IOException | RuntimeException e) {
            err.println("scanout: the runtime did not start: " + e.getMessage());
            runDir.delete();
            return 1;
        }
        timing("framework started");
        deployCheck.start();
        int code;
        try {
            code = session(fw, sinkProps, shell);
            if (shell && code == 0) {
                code = shellExitStatus(System.getProperty(SHELL_EXIT), err);
            }
        } finally {
            if (systemd != null) {
                systemd.close();
            }
            if (control != null) {
                control.close();
            }
            if (commands != null) {
                commands.detachAll();
            }
            deployCheck.close();
            if (fw.active()) {
                fw.stop(STOP_TIMEOUT);
            } else {
                fw.awaitStop(STOP_TIMEOUT);
            }
            runDir.delete();
        }
        return code;
    }

    /** The system property the shell's {@code exit N} sets (bundles/shell/etc/gosh_profile). */
    static final String SHELL_EXIT = "scanout.shell.exit";

    /**
     * The exit status the shell's {@code exit N} asked for: 0 without N, N from 0 to 255, else 1
     * with one line saying so.
     */
    static int shellExitStatus(String value, java.io.PrintStream err) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0 && n <= 255) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        err.println("scanout: exit status '" + value + "' is not a number from 0 to 255; exiting with 1");
        return 1;
    }

    private boolean controlled = true;
    /** Names a *.jar in deploy/ that is not a zip, at the start and while running. */
    private DeployCheck deployCheck;

    /** This command without a control socket (for {@code snapshot}). */
    RunCommand withoutControl() {
        controlled = false;
        return this;
    }

    /** The control socket, while it listens; null for a snapshot or when it could not listen. */
    private ControlServer control;
    private ControlCommands commands;
    /** The systemd notifier, under a {@code Type=notify} unit; else null. */
    private Systemd systemd;

    /** Tells systemd (when it asked) that the stop has begun. */
    private void stopping() {
        if (systemd != null) {
            systemd.stopping();
        }
    }

    /**
     * Starts the control socket (not for {@code snapshot}); when it cannot listen, says why in
     * one line and runs on without it.
     */
    private void listen(EmbeddedFramework fw, ConfigAdminClient cm, List<Prepared> sinkProps) {
        if (!controlled) {
            return;
        }
        Map<String, String> cli = new LinkedHashMap<>();
        for (Prepared p : sinkProps) {
            cli.put(p.name(), cl.device().map(DeviceSpec::name).orElse(""));
        }
        commands = new ControlCommands(fw.context(), cm, cli, SinkType.installed(dist));
        // the same model for the web console (plugin-web): a JDK type, since bundles cannot see launcher classes
        java.util.function.Function<String, Map<String, Object>> model = commands::readModel;
        fw.context().registerService(java.util.function.Function.class, model,
                new java.util.Hashtable<>(Map.of(ControlCommands.MODEL_PROPERTY, ControlCommands.SCHEMA)));
        // and its attach and detach for the console's forms: the same code as scanout ctl's
        java.util.function.Function<List<String>, Map<String, Object>> act = commands::act;
        fw.context().registerService(java.util.function.Function.class, act,
                new java.util.Hashtable<>(Map.of(ControlCommands.ACT_PROPERTY, ControlCommands.SCHEMA)));
        Path path = cl.ops().control().map(Path::of).orElseGet(() -> ControlServer.defaultPath(dist, env));
        try {
            control = ControlServer.start(path, commands);
            commands.socket(control.path());
            timing("control socket listening");
        } catch (IOException e) {
            err.println("scanout: WARNING: no control socket, scanout ctl cannot reach this instance: " + e.getMessage());
        }
    }

    /**
     * The shell reads its profile, bundles/shell/etc/gosh_profile, from {@code gosh.home}. The
     * profile makes {@code exit} stop the framework as the end of input does: Gogo's default
     * {@code exit} is {@code System.exit} on a pipe thread, and the clean stop that follows
     * interrupts the console waiting for it, which printed {@code gogo: InterruptedException: null}.
     */
    private Map<String, String> shellProperties() {
        return Map.of("gosh.home", dist.shellBundles().toString());
    }

    private int session(EmbeddedFramework fw, List<Prepared> sinkProps, boolean shell)
            throws InterruptedException {
        ConfigAdminClient cm = ConfigAdminClient.of(fw.context());
        listen(fw, cm, sinkProps);
        if (cl.ops().metrics().isPresent()) {
            // a factory configuration of the endpoint's PID: DS configures the component with it
            // as with conf/'s io.github.scanout.metrics.cfg
            cm.put(METRICS_PID, "cli", Map.of("listen", cl.ops().metrics().get()));
        }
        if (cl.ops().web().isPresent()) {
            // as with conf/'s io.github.scanout.web.cfg
            cm.put(WEB_PID, "cli", Map.of("listen", cl.ops().web().get()));
        }
        Optional<DeviceSpec> device = cl.device();
        if (controlled) {
            int cliDevice = device.isPresent() ? 1 : 0;
            systemd = Systemd.of(env, fw.context(), () -> countConf(dist.conf(), DEVICE_PID) + cliDevice, fw::active, err);
            if (systemd != null) {
                systemd.start();
            }
        }
        if (device.isEmpty()) {
            // the shell's exit: close conf/'s pipelines before their providers and sources go
            fw.context().addBundleListener((SynchronousBundleListener) e -> {
                if (e.getBundle().getBundleId() == 0 && e.getType() == BundleEvent.STOPPING) {
                    fw.stopCore();
                }
            });
            out.println("scanout: running with conf/ and deploy/ (" + dist.conf() + ", " + dist.deploy() + ")"
                    + (shell || cl.duration().isPresent() ? "" : "; stop with Ctrl-C"));
            int code = awaitStop(fw, null, List.of(), cl.duration().orElse(null));
            stopping();
            out.println("scanout: stopped" + (stop.reason().isEmpty() ? "" : " (" + stop.reason() + ")"));
            return code;
        }
        DeviceSpec d = device.get();
        if (d.expanded()) {
            out.println("scanout: " + d.name() + " runs as " + d.spec() + " (demo defaults for simulated devices;"
                    + " give mode= or mmap= to change them)");
        }
        Map<String, Object> deviceProps = new LinkedHashMap<>();
        deviceProps.put("spec", d.spec());
        deviceProps.put("name", d.name());
        StartupProbe probe = StartupProbe.register(fw.context(), d.name());
        String devicePid = cm.put(DEVICE_PID, "cli", deviceProps);
        List<Configured> sinks = new ArrayList<>();
        for (Prepared p : sinkProps) {
            Map<String, Object> props = new LinkedHashMap<>(p.properties());
            props.put(SinkType.DEVICE, d.name());
            props.put(SinkType.SINK_NAME, p.name());
            sinks.add(new Configured(p.name(), cm.put(p.spec().type().pid(), p.name(), props), p.spec()));
        }
        timing("configurations created");
        Teardown teardown = new Teardown(fw, cm, devicePid, sinks);
        // the shell's exit stops the framework from inside: take the sinks and the device down
        // first, while every bundle is still there
        SynchronousBundleListener onStop = e -> {
            if (e.getBundle().getBundleId() == 0 && e.getType() == BundleEvent.STOPPING) {
                teardown.run();
                fw.stopCore();
            }
        };
        fw.context().addBundleListener(onStop);
        Live live;
        try {
            live = awaitLive(fw, devicePid, d, sinks, probe);
        } catch (IllegalStateException e) {
            stopping();
            teardown.run();
            LogBridge.flush(); // the records of the stop before the last line
            err.println("scanout: " + e.getMessage());
            return 1;
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
        if (live == null) {
            teardown.run();
            return 0; // stopped before it was live
        }
        long liveNanos = System.nanoTime();
        timing("live");
        Pipelines.Stats ls = live.stats();
        warnings.check(ls);
        if (live.framed()) {
            out.println(String.format(Locale.ROOT, "scanout: %s is live, first frame %.2f s after start (%s)%s",
                    d.name(), sinceStart(), ls.source(), describe(sinks)));
        } else {
            out.println("scanout: " + d.name() + " is open but shows nothing yet (" + ls.state().toLowerCase(Locale.ROOT)
                    + (ls.reason().isEmpty() ? "" : ": " + ls.reason()) + ")" + describe(sinks));
        }
        int code = awaitStop(fw, devicePid, sinks, cl.duration().orElse(null));
        stopping();
        double secs = (System.nanoTime() - liveNanos) / 1e9;
        LastSeen seen = teardown.run();
        String why = failure;
        if (why == null && seen.pipeline != null) {
            why = nothingWritten(seen, sinks);
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "scanout: stopped after %.1f s", secs));
        if (!stop.reason().isEmpty()) {
            b.append(" (").append(stop.reason()).append(')');
        }
        if (seen.pipeline != null) {
            b.append(": ").append(seen.pipeline.name()).append(" captured ").append(seen.pipeline.captured())
                    .append(" frames");
            for (Configured c : sinks) {
                Pipelines.Sink k = seen.sinks.get(c.name());
                if (k != null) {
                    b.append("; ").append(k.name()).append(" received ").append(k.delivered())
                            .append(k.dropped() > 0 ? " (dropped " + k.dropped() + ")" : "")
                            .append(", wrote ").append(k.written())
                            .append(k.bytesWritten() > 0 ? " (" + bytes(k.bytesWritten()) + ")" : "");
                }
            }
        }
        LogBridge.flush(); // the records of the stop before the last line
        out.println(b);
        if (why != null) {
            out.flush();
            err.println("scanout: failed: " + why);
            return code == 0 ? 1 : code;
        }
        return code;
    }

    /** Why the run failed (set by the wait that gave up), or null. */
    private String failure;

    /** The one-time warnings about sinks that get no picture. */
    private final NoPictureWarnings warnings = new NoPictureWarnings();

    /**
     * The first sink that wrote nothing of what it was asked to, and why: it received frames and
     * wrote none, or it received none because it cannot read the device's buffers. Null when
     * every sink wrote something or was given nothing to write (a device showing nothing).
     */
    static String nothingWritten(LastSeen seen, List<Configured> sinks) {
        for (Configured c : sinks) {
            Pipelines.Sink k = seen.sinks.get(c.name());
            if (k == null || k.written() > 0) {
                continue;
            }
            if (k.delivered() > 0) {
                return k.name() + " wrote none of the " + k.delivered() + " frames it received"
                        + (k.lastError().isEmpty() ? "" : ": " + k.lastError());
            }
            if (!k.noPicture().isEmpty()) {
                return k.name() + " wrote nothing: " + k.noPicture();
            }
        }
        return null;
    }

    /** {@code 12.3 MB}, {@code 512 B}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * Says once per sink and reason, as a WARNING on stderr, when a sink gets no picture of the
     * device's frames, with what would help.
     */
    private final class NoPictureWarnings {
        private final Map<String, String> said = new LinkedHashMap<>();

        void check(Pipelines.Stats s) {
            for (Pipelines.Sink k : s.sinks()) {
                if (!k.noPicture().isEmpty() && !k.noPicture().equals(said.get(k.name()))) {
                    said.put(k.name(), k.noPicture());
                    err.println("scanout: WARNING: sink " + k.name() + " gets no picture: " + k.noPicture() + help(k));
                }
            }
        }

        private String help(Pipelines.Sink k) {
            String why = k.noPicture();
            if (why.contains("cannot be mapped by the CPU")) {
                return ". What would help: an importer, which turns dma-bufs into pixels for CPU sinks: the GL"
                        + " bundle (--gl on) on a host with a GPU render node (/dev/dri/renderD*), or a gl sink"
                        + " that shows the dma-buf itself";
            }
            return "";
        }
    }

    /** With -Dscanout.timing=true: one line on stderr per start-up phase, in seconds since the process started. */
    private void timing(String phase) {
        if (Boolean.getBoolean("scanout.timing")) {
            err.println(String.format(Locale.ROOT, "scanout: timing: %.3f s %s", sinceStart(), phase));
        }
    }

    /**
     * Seconds since the process started, from {@code /proc} (10 ms resolution: the start time
     * in clock ticks against the uptime), else since the launcher's main started.
     */
    private double sinceStart() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double started = Long.parseLong(f[19]) / 100.0; // field 22: starttime, USER_HZ = 100 on Linux
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            if (uptime >= started) {
                return uptime - started;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String describe(List<Configured> sinks) {
        if (sinks.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("; sinks:");
        for (Configured c : sinks) {
            b.append(' ').append(c.name()).append(" -> ").append(c.spec().type().name()).append(':')
                    .append(c.spec().target().isEmpty() ? c.spec().type().targetKey() + " default" : c.spec().target());
        }
        return b.toString();
    }

    /**
     * Waits until the pipeline runs with every sink attached and the first frame published (or
     * has shown nothing for {@link #NO_SIGNAL_GRACE}: the guest has not set a mode), for 30 s or
     * {@code --timeout} when that is longer (a JVM under full software emulation can take over a
     * minute to start Felix and the bundles).
     *
     * @return the stats then, or null when a stop was requested first
     * @throws IllegalStateException with one line when it does not get there
     */
    private Live awaitLive(EmbeddedFramework fw, String devicePid, DeviceSpec d, List<Configured> sinks,
            StartupProbe probe) throws InterruptedException {
        // --timeout may lengthen the wait (a slow machine), never shorten it below the default:
        // with --frames or snapshot a short --timeout means "no new frame for that long"
        Duration given = cl.ops().timeoutOrDefault();
        Duration limit = given.compareTo(CommandLine.DEFAULT_TIMEOUT) > 0 ? given : CommandLine.DEFAULT_TIMEOUT;
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> missing = List.of();
        long failedSince = 0;
        long openSince = 0;
        Pipelines.Stats last = null;
        while (true) {
            if (stop.requested() || !fw.active()) {
                return null;
            }
            Optional<Pipelines.Stats> s = Pipelines.ofConfiguration(fw.context(), devicePid);
            long now = System.nanoTime();
            if (s.isPresent()) {
                last = s.get();
                String state = last.state();
                if (state.equals("FAILED") || state.equals("GONE")) {
                    failedSince = failedSince == 0 ? now : failedSince;
                    if (now - failedSince > FAILED_GRACE.toNanos()) {
                        throw new IllegalStateException("device " + d.name() + " " + state.toLowerCase(Locale.ROOT)
                                + ": " + last.reason());
                    }
                } else {
                    failedSince = 0;
                }
                if (state.equals("RUNNING") || state.equals("NO_SIGNAL")) {
                    openSince = openSince == 0 ? now : openSince;
                    missing = new ArrayList<>();
                    for (Configured c : sinks) {
                        if (last.sink(c.name()).isEmpty()) {
                            missing.add(c.name() + " (" + c.spec().text() + ")");
                        }
                    }
                    boolean framed = probe == null ? state.equals("RUNNING") : probe.hasFrame();
                    if (missing.isEmpty() && framed) {
                        return new Live(last, true);
                    }
                    if (missing.isEmpty() && now - openSince > NO_SIGNAL_GRACE.toNanos()) {
                        return new Live(last, false);
                    }
                } else {
                    openSince = 0;
                    missing = List.of();
                }
            }
            if (now - deadline > 0 && !missing.isEmpty()) {
                throw new IllegalStateException("sink " + String.join(", ", missing) + " did not start within "
                        + limit.toSeconds() + " s: its configuration was refused (see the log above), or the machine needs a longer"
                        + " --timeout");
            }
            if (now - deadline > 0) {
                throw new IllegalStateException("device " + d.name() + " is not live after " + limit.toSeconds()
                        + " s" + (last == null ? " (core registered no pipeline: see the log above)"
                        : ": " + last.state().toLowerCase(Locale.ROOT) + (last.reason().isEmpty() ? "" : ", " + last.reason())));
            }
            if (probe != null && !probe.hasFrame()) {
                probe.awaitFrame(5);
            } else {
                stop.await(Duration.ofMillis(5));
            }
        }
    }

    /**
     * Waits for a stop request, the duration, the frame count or the framework stopping. With
     * {@code --frames}, gives up (status 1, {@link #failure} set) when no sink wrote a new frame
     * for {@code --timeout}.
     */
    private int awaitStop(EmbeddedFramework fw, String devicePid, List<Configured> sinks, Duration duration)
            throws InterruptedException {
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        long frames = cl.frames().orElse(0);
        Duration timeout = cl.ops().timeoutOrDefault();
        long progressAt = System.nanoTime();
        long writtenSum = -1;
        long lastCheck = 0;
        while (true) {
            if (!fw.active()) {
                return 0; // the shell's exit stopped the framework
            }
            long now = System.nanoTime();
            long left = end - now;
            if (left <= 0) {
                stop.request("duration reached");
                return 0;
            }
            if (devicePid != null && (frames > 0 || now - lastCheck > 1_000_000_000L)) {
                lastCheck = now;
                Optional<Pipelines.Stats> s = Pipelines.ofConfiguration(fw.context(), devicePid);
                s.ifPresent(warnings::check);
                if (frames > 0 && s.isPresent()) {
                    if (sinks.stream().allMatch(c -> s.get().sink(c.name()).map(k -> k.written() >= frames)
                            .orElse(false))) {
                        stop.request(frames + " frames written");
                        return 0;
                    }
                    long sum = sinks.stream().mapToLong(c -> s.get().sink(c.name()).map(Pipelines.Sink::written)
                            .orElse(0L)).sum();
                    if (sum != writtenSum) {
                        writtenSum = sum;
                        progressAt = now;
                    } else if (now - progressAt > timeout.toNanos()) {
                        failure = framesTimedOut(s.get(), sinks, frames, timeout);
                        stop.request("--frames " + frames + " not reached");
                        return 1;
                    }
                }
            }
            long waitNanos = Math.min(left, frames > 0 ? 20_000_000L : 200_000_000L);
            if (stop.await(Duration.ofNanos(waitNanos))) {
                return 0;
            }
        }
    }

    /** Why {@code --frames} gave up, in one line. */
    private static String framesTimedOut(Pipelines.Stats s, List<Configured> sinks, long frames, Duration timeout) {
        StringBuilder b = new StringBuilder("--frames " + frames + " not reached: no new frame was written for "
                + seconds(timeout) + " s (--timeout)");
        for (Configured c : sinks) {
            s.sink(c.name()).ifPresent(k -> b.append("; ").append(k.name()).append(" wrote ").append(k.written()));
        }
        String why = null;
        for (Configured c : sinks) {
            Optional<Pipelines.Sink> k = s.sink(c.name());
            if (k.isPresent() && !k.get().noPicture().isEmpty()) {
                why = k.get().name() + " gets no picture: " + k.get().noPicture();
                break;
            }
            if (k.isPresent() && !k.get().lastError().isEmpty() && k.get().delivered() > k.get().written()) {
                why = k.get().name() + ": " + k.get().lastError();
                break;
            }
        }
        if (why == null) {
            if (!s.state().equals("RUNNING")) {
                why = "the device is " + s.state().toLowerCase(Locale.ROOT) + (s.reason().isEmpty() ? "" : ": " + s.reason());
            } else {
                why = "the screen did not change (a frame is captured only when the picture changes; use --duration,"
                        + " or scanout snapshot for the picture as it is)";
            }
        }
        return b.append(": ").append(why).toString();
    }

    private static String seconds(Duration d) {
        return d.toNanos() % 1_000_000_000L == 0 ? Long.toString(d.toSeconds())
                : String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    /** What was last seen of the pipeline and its sinks while it was taken down. */
    static final class LastSeen {
        Pipelines.Stats pipeline;
        final Map<String, Pipelines.Sink> sinks = new LinkedHashMap<>();

        void see(Optional<Pipelines.Stats> s) {
            s.ifPresent(p -> {
                pipeline = p;
                p.sinks().forEach(k -> sinks.put(k.name(), k));
            });
        }
    }

    /**
     * Deletes the sinks' configurations, waits for them to detach (each finishes the frame in
     * hand; files are complete), then deletes the device's and waits for its pipeline to close.
     * Runs once, on whichever thread asks first (the main thread, or the thread stopping the
     * framework); later calls wait for it and get the same result.
     */
    private final class Teardown {
        private final EmbeddedFramework fw;
        private final ConfigAdminClient cm;
        private final String devicePid;
        private final List<Configured> sinks;
        private LastSeen done;

        Teardown(EmbeddedFramework fw, ConfigAdminClient cm, String devicePid, List<Configured> sinks) {
            this.fw = fw;
            this.cm = cm;
            this.devicePid = devicePid;
            this.sinks = sinks;
        }

        synchronized LastSeen run() {
            if (done == null) {
                done = new LastSeen();
                try {
                    take(done);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IllegalStateException e) {
                    // the framework is gone already
                }
            }
            return done;
        }

        private void take(LastSeen seen) throws InterruptedException {
            seen.see(Pipelines.ofConfiguration(fw.context(), devicePid));
            for (Configured c : sinks) {
                try {
                    cm.delete(c.pid());
                } catch (RuntimeException e) {
                    err.println("scanout: could not delete " + c.pid() + ": " + e.getMessage());
                }
            }
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<Pipelines.Stats> s = Pipelines.ofConfiguration(fw.context(), devicePid);
                seen.see(s);
                if (s.isEmpty() || sinks.stream().noneMatch(c -> s.get().sink(c.name()).isPresent())) {
                    break;
                }
                Thread.sleep(2);
            }
            try {
                cm.delete(devicePid);
            } catch (RuntimeException e) {
                err.println("scanout: could not delete " + devicePid + ": " + e.getMessage());
            }
            // references only: asking a pipeline SCR is deactivating for its service logs an ERROR
            while (System.nanoTime() < deadline && Pipelines.registered(fw.context(), devicePid)) {
                Thread.sleep(5);
            }
        }
    }

    /**
     * Each sink's configuration properties (TARGET paths made absolute), keyed by its unique
     * name; creates the directories file sinks write into.
     */
    private List<Prepared> prepareSinks() throws UsageException {
        Map<String, Prepared> out = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (SinkSpec s : cl.sinks()) {
            Map<String, String> props = new LinkedHashMap<>(s.properties());
            String name = props.remove(SinkType.SINK_NAME);
            if (name == null || name.isBlank()) {
                int n = counts.merge(s.type().name(), 1, Integer::sum);
                name = s.type().name() + "-" + n;
            }
            if (out.containsKey(name)) {
                throw new UsageException("--sink " + s.text() + ": sink.name '" + name + "' is taken by another --sink");
            }
            if (s.type().is(SinkType.FILE)) {
                Path p = Path.of(props.get("path")).toAbsolutePath().normalize();
                boolean stream = !props.getOrDefault("format", "png").equalsIgnoreCase("png");
                Path dir = stream ? p.getParent() : p;
                if (stream && Files.isDirectory(p)) {
                    throw new UsageException("--sink " + s.text() + ": " + p + " is a directory, and a "
                            + props.get("format") + " stream is one file: give a file name, such as "
                            + p.resolve("capture." + props.get("format").toLowerCase(Locale.ROOT))
                            + " (the sink never writes beside it)");
                }
                try {
                    if (dir != null) {
                        Files.createDirectories(dir);
                    }
                } catch (IOException e) {
                    throw new UsageException("--sink " + s.text() + ": cannot create the directory " + dir + " ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                }
                props.put("path", p.toString());
            }
            if (s.type().is("video") && !props.getOrDefault("path", "").isBlank()) {
                Path p;
                try {
                    p = Path.of(props.get("path")).toAbsolutePath().normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    throw new UsageException("--sink " + s.text() + ": '" + props.get("path") + "' is not a file name");
                }
                createParent(s, p.getParent());
                props.put("path", p.toString());
            }
            if (s.type().is("stream") && props.getOrDefault("url", "").regionMatches(true, 0, "hls:", 0, 4)) {
                Path p;
                try {
                    p = Path.of(props.get("url").substring(4)).toAbsolutePath().normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    throw new UsageException("--sink " + s.text() + ": '" + props.get("url") + "' is not a directory name");
                }
                createParent(s, p);
                props.put("url", "hls:" + p + "/");
            }
            out.put(name, new Prepared(name, s, props));
        }
        return List.copyOf(out.values());
    }

    private static void createParent(SinkSpec s, Path dir) throws UsageException {
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UsageException("--sink " + s.text() + ": cannot create the directory " + dir + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * The jars to install: bundles/, then bundles/gl/, bundles/vnc/ and bundles/video/ when wanted, then
     * bundles/shell/ for the shell.
     */
    private List<Path> bundles(boolean shell) throws IOException {
        List<Path> jars = new ArrayList<>(Distribution.jars(dist.bundles()));
        if (jars.isEmpty()) {
            throw new IOException("no bundles in " + dist.bundles());
        }
        if (wantsGl()) {
            jars.addAll(Distribution.jars(dist.glBundles()));
        }
        boolean web = cl.ops().web().isPresent() || confHas(dist.conf(), WEB_PID);
        // the web console's live view attaches a VNC sink on demand: with the console, the VNC bundle too
        if (shell || web || cl.sinks().stream().anyMatch(s -> s.type().is(SinkType.VNC)) || confHas(dist.conf(), SinkType.VNC_PID)) {
            jars.addAll(Distribution.jars(dist.vncBundles()));
        }
        if (cl.ops().metrics().isPresent() || confHas(dist.conf(), METRICS_PID)) {
            jars.addAll(Distribution.jars(dist.metricsBundles()));
        }
        if (web) {
            jars.addAll(Distribution.jars(dist.webBundles()));
        }
        if (cl.sinks().stream().anyMatch(s -> SinkType.VIDEO.contains(s.type().name()))
                || SinkType.VIDEO_PIDS.stream().anyMatch(pid -> confHas(dist.conf(), pid))) {
            jars.addAll(Distribution.jars(dist.videoBundles()));
        }
        // FileInstall last: everything it may configure is there when it first scans
        jars.sort((a, b) -> Boolean.compare(a.getFileName().toString().contains("fileinstall"),
                b.getFileName().toString().contains("fileinstall")));
        if (shell) {
            jars.addAll(Distribution.jars(dist.shellBundles()));
        }
        return jars;
    }

    private boolean wantsGl() {
        switch (cl.gl()) {
            case "on":
                return true;
            case "off":
                return false;
            default:
                break;
        }
        if (cl.sinks().stream().anyMatch(s -> s.type().is(SinkType.GL))) {
            return true;
        }
        if (cl.device().isPresent() && !cl.device().get().simulated()) {
            return true;
        }
        return confNeedsGl(dist.conf());
    }

    /** How many configuration files of this (factory) PID conf/ holds. */
    static int countConf(Path conf, String pid) {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(conf)) {
            for (Path p : ds) {
                if (isConfOf(p.getFileName().toString(), pid)) {
                    n++;
                }
            }
        } catch (IOException e) {
            return n;
        }
        return n;
    }

    private static boolean isConfOf(String n, String pid) {
        return (n.endsWith(".cfg") || n.endsWith(".config")) && (n.startsWith(pid + "-") || n.startsWith(pid + "~")
                || n.startsWith(pid + "."));
    }

    /** Whether conf/ holds a configuration file of this (factory) PID. */
    static boolean confHas(Path conf, String pid) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(conf)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if ((n.endsWith(".cfg") || n.endsWith(".config")) && (n.startsWith(pid + "-") || n.startsWith(pid + "~")
                        || n.startsWith(pid + "."))) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static final Pattern CONFIG_SPEC = Pattern.compile("(?m)^\\s*spec\\s*=\\s*\"([^\"]*)\"");

    /**
     * Whether conf/ configures a GL sink or importer, or a device that is not simulated (a real
     * vGPU's dma-bufs reach CPU sinks only through the GL importer). A file that cannot be read
     * as a configuration is skipped here (it used to stop the runtime from starting with
     * the Properties parser's complaint about a bad unicode escape); FileInstall reports it with
     * its path.
     */
    static boolean confNeedsGl(Path conf) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(conf)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".cfg") && !n.endsWith(".config")) {
                    continue;
                }
                if (n.startsWith("io.github.scanout.sink.gl") || n.startsWith("io.github.scanout.importer.gl")) {
                    return true;
                }
                if (n.startsWith(DEVICE_PID + "-") || n.startsWith(DEVICE_PID + "~") || n.startsWith(DEVICE_PID + ".")) {
                    String spec;
                    try {
                        spec = specOf(p);
                    } catch (IOException | IllegalArgumentException e) {
                        continue; // not readable as properties: FileInstall reports it, naming the file
                    }
                    if (spec != null && !spec.trim().toLowerCase(Locale.ROOT).startsWith("sim:")) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static String specOf(Path p) throws IOException {
        if (p.getFileName().toString().endsWith(".cfg")) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(p)) {
                props.load(in);
            }
            return props.getProperty("spec");
        }
        Matcher m = CONFIG_SPEC.matcher(Files.readString(p, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }
}
