package io.github.scanout.runtime;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The parsed command line. Everything is checked here, before the framework starts, so that a
 * mistake costs no start-up and says exactly what is wrong.
 *
 * <p>Immutable; any thread.
 *
 * @param command what to do
 * @param device the {@code --device}, if given
 * @param sinks the {@code --sink}s, in order
 * @param duration {@code --duration}, if given
 * @param frames {@code --frames}, if given
 * @param gl whether to install the GL bundle: {@code auto}, {@code on} or {@code off}
 */
record CommandLine(Command command, Optional<DeviceSpec> device, List<SinkSpec> sinks, Optional<Duration> duration,
        OptionalLong frames, String gl) {

    /** What the launcher is asked to do. */
    enum Command {
        HELP, VERSION, RUN, SHELL, DEVICES
    }

    /** The most {@code --duration} accepted: about 31 years, a bound only against overflow. */
    static final long MAX_SECONDS = 1_000_000_000L;

    CommandLine {
        sinks = List.copyOf(sinks);
    }

    /** One line for each deprecated spelling the {@code --sink}s used, for the launcher to print. */
    List<String> warnings() {
        return sinks.stream().flatMap(s -> s.warnings().stream()).toList();
    }

    /**
     * Parses the arguments.
     *
     * @param sinkTypes the sink types installed ({@link SinkType#installed}): {@code --sink}
     *     values are checked against their keys and rules
     * @throws UsageException with one line naming the argument and what is accepted
     */
    static CommandLine parse(Map<String, SinkType> sinkTypes, String... args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given; expected run, shell, devices or --help");
        }
        String first = args[0];
        Command command = switch (first) {
            case "-h", "--help", "help" -> Command.HELP;
            case "--version", "version" -> Command.VERSION;
            case "run" -> Command.RUN;
            case "shell" -> Command.SHELL;
            case "devices" -> Command.DEVICES;
            default -> throw new UsageException(first.startsWith("-")
                    ? "unknown option '" + first + "' before the command; expected run, shell, devices or --help"
                    : "unknown command '" + first + "'; expected run, shell, devices or --help");
        };
        DeviceSpec device = null;
        List<SinkSpec> sinks = new ArrayList<>();
        Duration duration = null;
        Long frames = null;
        String gl = "auto";
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return new CommandLine(Command.HELP, Optional.empty(), List.of(), Optional.empty(), OptionalLong.empty(),
                        gl);
            }
            if (command == Command.HELP || command == Command.VERSION) {
                throw new UsageException("'" + first + "' takes no arguments, got '" + arg + "'");
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (command == Command.DEVICES) {
                throw new UsageException("'devices' takes no arguments, got '" + arg + "'");
            }
            switch (name) {
                case "--device" -> {
                    if (device != null) {
                        throw new UsageException("--device is given twice ('" + device.name() + "' and '"
                                + (value != null ? value : i + 1 < args.length ? args[i + 1] : "") + "'); one device per run");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "SPEC");
                    }
                    device = DeviceSpec.parse(value);
                }
                case "--sink" -> {
                    if (value == null) {
                        value = next(args, ++i, name, "TYPE:TARGET[?key=value&...]");
                    }
                    sinks.add(SinkSpec.parse(value, sinkTypes));
                }
                case "--duration" -> {
                    if (duration != null) {
                        throw new UsageException("--duration is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "SECONDS");
                    }
                    duration = seconds(value);
                }
                case "--frames" -> {
                    if (frames != null) {
                        throw new UsageException("--frames is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "N");
                    }
                    frames = count(value);
                }
                case "--gl" -> {
                    if (value == null) {
                        value = next(args, ++i, name, "auto|on|off");
                    }
                    gl = value.trim().toLowerCase(Locale.ROOT);
                    if (!List.of("auto", "on", "off").contains(gl)) {
                        throw new UsageException("--gl " + value + " is not accepted; expected auto, on or off");
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option '" + arg + "' for " + first + "; expected --device, --sink, --duration, --frames or --gl"
                        : "unexpected argument '" + arg + "'; options come as --device SPEC, --sink TYPE:TARGET...");
            }
        }
        if (duration != null && frames != null) {
            throw new UsageException("--duration and --frames exclude each other; give one");
        }
        if (!sinks.isEmpty() && device == null) {
            throw new UsageException("--sink needs a --device to attach to");
        }
        if (frames != null && sinks.isEmpty()) {
            throw new UsageException("--frames counts frames delivered to the --sink sinks; give at least one --sink");
        }
        if ("off".equals(gl)) {
            for (SinkSpec s : sinks) {
                if (s.type().is(SinkType.GL)) {
                    throw new UsageException("--sink " + s.text() + " needs the GL bundle, but --gl is off");
                }
            }
        }
        return new CommandLine(command, Optional.ofNullable(device), sinks, Optional.ofNullable(duration),
                frames == null ? OptionalLong.empty() : OptionalLong.of(frames), gl);
    }

    private static String next(String[] args, int i, String option, String what) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value (" + what + ")");
        }
        return args[i];
    }

    private static Duration seconds(String value) throws UsageException {
        String why = "--duration " + value + " is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5";
        BigDecimal d;
        try {
            d = new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(why);
        }
        if (d.signum() <= 0 || d.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
            throw new UsageException(why);
        }
        long nanos = d.movePointRight(9).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        return Duration.ofNanos(nanos);
    }

    private static long count(String value) throws UsageException {
        try {
            long n = Long.parseLong(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("--frames " + value + " is not accepted; expected a whole number of frames greater than 0");
    }

    /** The help text. */
    static String help() {
        return """
                Usage:
                  scanout run [--device SPEC] [--sink TYPE:TARGET[?key=value&...]]... [--duration SECONDS | --frames N]
                  scanout shell [the options of run]
                  scanout devices
                  scanout --help | --version

                Commands:
                  run       Starts the runtime: the device and sinks given here, plus the configurations in
                            conf/ and the bundles in deploy/. Runs for --duration SECONDS, until every --sink
                            has received --frames N frames, or until SIGTERM or SIGINT; then stops cleanly
                            (sinks flushed, devices closed) and exits 0.
                  shell     The same, with an interactive Gogo shell on this terminal (commands scanout:devices,
                            scanout:sinks, scanout:stats, scanout:attach, scanout:detach, scanout:snapshot;
                            'exit' or Ctrl-D stops). No remote shell is ever started.
                  devices   Lists the host's mediated devices and whether each can be opened (and why not).

                Options of run and shell:
                  --device SPEC        an mdev UUID, /sys/bus/mdev/devices/<uuid>, or a simulated vGPU:
                                       sim:mdpy-vga, sim:mdpy-xga, sim:mdpy-hd, sim:mbochs[?mode=WxH&...],
                                       sim:gvt[?tiling=x|y&...]. sim:mbochs and sim:gvt get mode=1024x768 and
                                       mmap=allow unless the spec says otherwise (CPU sinks need no GPU then).
                  --sink TYPE:TARGET[?key=value&...]
                                       a sink for the device, repeatable:
                                         file:DIR             PNG snapshots into DIR (created if missing)
                                         file:FILE?format=y4m a Y4M (or raw) stream into FILE
                                         gl:window | gl:headless
                                       keys: those of the sink type's configuration, checked before anything
                                       starts (file: format, max.fps, only.when.changed, keep, cursor,
                                       y4m.chroma, name.pattern, atomic, fsync; gl: scale, vsync, title, width,
                                       height, edid.resize, max.fps, cursor.position, zero.copy, egl.platform,
                                       window.api; any sink: sink.name); a sink type in deploy/ brings its own.
                                       Escape & and = in values as %26 and %3D.
                  --duration SECONDS   stop after this long (counted from when the device is live)
                  --frames N           stop when every --sink has received N frames
                  --gl auto|on|off     install the GL sink and importer bundle (auto: when a gl sink, a real
                                       device or a GL configuration in conf/ needs it)

                Examples:
                  scanout run --device sim:mbochs --sink file:out/?format=png --duration 5
                  scanout run --device sim:gvt --sink file:cap.y4m?format=y4m --frames 120
                  scanout shell --device sim:mdpy-xga

                Exit status: 0 after a clean stop, 1 when the device or a sink cannot start, 2 for bad arguments.
                Files: conf/ (configurations), deploy/ (bundles) and the cache directory (see the README:
                $SCANOUT_CACHE, else $XDG_RUNTIME_DIR/scanout, else the distribution's cache/).
                """;
    }
}
