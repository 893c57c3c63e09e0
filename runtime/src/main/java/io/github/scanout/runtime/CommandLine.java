package io.github.scanout.runtime;

import io.github.scanout.api.support.ListenAddress;
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
 * @param ops the options of the operations commands ({@code --timeout}, {@code --control},
 *     {@code snapshot}'s file)
 */
record CommandLine(Command command, Optional<DeviceSpec> device, List<SinkSpec> sinks, Optional<Duration> duration,
        OptionalLong frames, String gl, Ops ops) {

    /** What the launcher is asked to do. */
    enum Command {
        HELP, VERSION, RUN, SHELL, DEVICES, SNAPSHOT
    }

    /**
     * How long the launcher waits for progress unless {@code --timeout} says: for the device to go
     * live ({@code run}, {@code shell}), for each next frame written ({@code --frames}) and for
     * {@code snapshot}'s picture.
     */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The options of the operations commands.
     *
     * @param timeout {@code --timeout}: how long {@code --frames} waits with no new frame written,
     *     how long {@code snapshot} waits for its picture, and, when longer than
     *     {@link #DEFAULT_TIMEOUT}, how long {@code run} and {@code shell} wait for the device to go
     *     live with every sink attached
     * @param control {@code --control PATH}: where the control socket listens
     * @param file {@code snapshot}'s FILE
     * @param metrics {@code --metrics HOST:PORT}: serve Prometheus metrics there (loopback only)
     * @param logLevel {@code --log-level LEVEL}: the console's level (and the Log service's default)
     * @param web {@code --web HOST:PORT}: serve the web console there (loopback only)
     */
    record Ops(Optional<Duration> timeout, Optional<String> control, Optional<String> file, Optional<String> metrics,
            Optional<java.util.logging.Level> logLevel, Optional<String> web) {
        static final Ops NONE = new Ops(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        Ops(Optional<Duration> timeout, Optional<String> control, Optional<String> file) {
            this(timeout, control, file, Optional.empty());
        }

        Ops(Optional<Duration> timeout, Optional<String> control, Optional<String> file, Optional<String> metrics) {
            this(timeout, control, file, metrics, Optional.empty());
        }

        Ops(Optional<Duration> timeout, Optional<String> control, Optional<String> file, Optional<String> metrics,
                Optional<java.util.logging.Level> logLevel) {
            this(timeout, control, file, metrics, logLevel, Optional.empty());
        }

        /** {@code --timeout}, else {@link #DEFAULT_TIMEOUT}. */
        Duration timeoutOrDefault() {
            return timeout.orElse(DEFAULT_TIMEOUT);
        }
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
            throw new UsageException("no command given; expected " + COMMANDS);
        }
        String first = args[0];
        Command command = switch (first) {
            case "-h", "--help", "help" -> Command.HELP;
            case "--version", "version" -> Command.VERSION;
            case "run" -> Command.RUN;
            case "shell" -> Command.SHELL;
            case "devices" -> Command.DEVICES;
            case "snapshot" -> Command.SNAPSHOT;
            default -> throw new UsageException(first.startsWith("-")
                    ? "unknown option '" + first + "' before the command; expected " + COMMANDS
                    : "unknown command '" + first + "'; expected " + COMMANDS);
        };
        DeviceSpec device = null;
        List<SinkSpec> sinks = new ArrayList<>();
        Duration duration = null;
        Long frames = null;
        String gl = "auto";
        Duration timeout = null;
        String control = null;
        String metrics = null;
        String web = null;
        java.util.logging.Level logLevel = null;
        String file = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return new CommandLine(Command.HELP, Optional.empty(), List.of(), Optional.empty(), OptionalLong.empty(),
                        gl, Ops.NONE);
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
            if (command == Command.SNAPSHOT && !name.startsWith("-")) {
                if (file != null) {
                    throw new UsageException("snapshot takes one FILE, got '" + file + "' and '" + arg + "'");
                }
                file = arg;
                continue;
            }
            if (command == Command.SNAPSHOT && !List.of("--device", "--timeout", "--gl", "--log-level").contains(name)) {
                throw new UsageException(arg.startsWith("-") ? "unknown option '" + arg
                        + "' for snapshot; expected --device SPEC, --timeout SECONDS, --gl, --log-level LEVEL or the FILE"
                        : "unexpected argument '" + arg + "'");
            }
            switch (name) {
                case "--timeout" -> {
                    if (timeout != null) {
                        throw new UsageException("--timeout is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "SECONDS");
                    }
                    timeout = seconds(name, value);
                }
                case "--control" -> {
                    if (control != null) {
                        throw new UsageException("--control is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "PATH");
                    }
                    if (value.isBlank() || value.indexOf('\0') >= 0) {
                        throw new UsageException("--control '" + value + "' is not accepted; expected the path of a socket");
                    }
                    control = value;
                }
                case "--log-level" -> {
                    if (logLevel != null) {
                        throw new UsageException("--log-level is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "LEVEL");
                    }
                    try {
                        logLevel = Logging.parseStrict(value);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }
                case "--metrics" -> {
                    if (metrics != null) {
                        throw new UsageException("--metrics is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "HOST:PORT");
                    }
                    metrics = loopback("--metrics", value, "127.0.0.1:9464");
                }
                case "--web" -> {
                    if (web != null) {
                        throw new UsageException("--web is given twice");
                    }
                    if (value == null) {
                        value = next(args, ++i, name, "HOST:PORT");
                    }
                    web = loopback("--web", value, "127.0.0.1:8080");
                }
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
                    duration = seconds(name, value);
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
                        ? "unknown option '" + arg + "' for " + first
                                + "; expected --device, --sink, --duration, --frames, --timeout, --control, --metrics, --web, --log-level or --gl"
                        : "unexpected argument '" + arg + "'; options come as --device SPEC, --sink TYPE:TARGET...");
            }
        }
        if (command == Command.SNAPSHOT) {
            if (device == null) {
                throw new UsageException("snapshot needs --device SPEC: the device to take the picture of");
            }
            if (file == null) {
                throw new UsageException("snapshot needs a FILE to write the picture to, for example screen.png");
            }
            if (!file.toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw new UsageException("snapshot writes PNG; name the FILE *.png, got '" + file + "'");
            }
        }
        if (duration != null && frames != null) {
            throw new UsageException("--duration and --frames exclude each other; give one");
        }
        if (!sinks.isEmpty() && device == null) {
            throw new UsageException("--sink needs a --device to attach to");
        }
        if (frames != null && sinks.isEmpty()) {
            throw new UsageException("--frames counts frames written by the --sink sinks; give at least one --sink");
        }
        if ("off".equals(gl)) {
            for (SinkSpec s : sinks) {
                if (s.type().is(SinkType.GL)) {
                    throw new UsageException("--sink " + s.text() + " needs the GL bundle, but --gl is off");
                }
            }
        }
        return new CommandLine(command, Optional.ofNullable(device), sinks, Optional.ofNullable(duration),
                frames == null ? OptionalLong.empty() : OptionalLong.of(frames), gl,
                new Ops(Optional.ofNullable(timeout), Optional.ofNullable(control), Optional.ofNullable(file),
                        Optional.ofNullable(metrics), Optional.ofNullable(logLevel), Optional.ofNullable(web)));
    }

    /**
     * {@code --metrics}'s or {@code --web}'s value when it is a loopback {@code HOST:PORT},
     * {@code [IPv6]:PORT} or {@code PORT}: those bundles serve loopback only in this version (no
     * TLS, no authentication).
     *
     * @param option the option, for messages
     * @param example the default and example address
     */
    static String loopback(String option, String value, String example) throws UsageException {
        ListenAddress.HostPort hp;
        try {
            hp = ListenAddress.split(value.trim(), example);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + value + " is not accepted; expected " + e.getMessage());
        }
        String host = hp.host();
        // an address or localhost, never a name to look up: 127.0.0.0/8, ::1 or localhost is loopback
        boolean loop;
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            String[] o = host.split("\\.");
            for (String x : o) {
                if (Integer.parseInt(x) > 255) {
                    throw new UsageException(option + " " + value + " is not accepted; '" + host + "' is not an IP address");
                }
            }
            loop = o[0].equals("127");
        } else if (host.contains(":") && host.matches("[0-9A-Fa-f:.]+")) {
            loop = host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
        } else if (host.equals("localhost")) {
            loop = true;
        } else {
            throw new UsageException(option + " " + value + " is not accepted; expected an IP address or localhost before"
                    + " the port, for example " + example);
        }
        if (!loop) {
            throw new UsageException(option + " " + value + (option.equals("--metrics")
                    ? " is not a loopback address: this version serves metrics on loopback only (no TLS, no authentication);"
                            + " scrape on this host or through a reverse proxy"
                    : " is not a loopback address: there the web console needs TLS and logins, which the command"
                            + " line does not set; set listen, tls.cert, tls.key and htpasswd.file in"
                            + " conf/io.github.scanout.web.cfg, or browse on this host or through an SSH tunnel"));
        }
        return value.trim();
    }

    private static String next(String[] args, int i, String option, String what) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value (" + what + ")");
        }
        return args[i];
    }

    private static Duration seconds(String option, String value) throws UsageException {
        String why = option + " " + value + " is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5";
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

    /** The commands, for messages. */
    static final String COMMANDS = "run, shell, devices, snapshot, ctl or --help";

    /** The help text. */
    static String help() {
        return """
                Usage:
                  scanout run [--device SPEC] [--sink TYPE:TARGET[?key=value&...]]... [--duration SECONDS | --frames N]
                  scanout shell [the options of run]
                  scanout devices
                  scanout snapshot --device SPEC [--timeout SECONDS] FILE.png
                  scanout ctl [--control PATH] [--json] COMMAND [ARGS...]
                  scanout --help | --version

                Commands:
                  run       Starts the runtime: the device and sinks given here, plus the configurations in
                            conf/ and the bundles in deploy/. Runs for --duration SECONDS, until every --sink
                            has written --frames N frames, or until SIGTERM or SIGINT; then stops cleanly
                            (sinks flushed, devices closed). The last line says what each sink received and
                            wrote.
                  shell     The same, with an interactive Gogo shell on this terminal (commands scanout:devices,
                            scanout:sinks, scanout:stats, scanout:attach, scanout:detach, scanout:snapshot,
                            scanout:keys; 'exit [N]' or Ctrl-D stops). No remote shell is ever started.
                  devices   Lists the host's mediated devices, which process (VM) holds each, and whether
                            Scanout can borrow it (and why not); it opens none.
                  snapshot  Writes what the device shows now (still or not) to FILE.png and exits; exit 0 only
                            when the file was written.
                  ctl       Controls the running instance of this distribution through its control socket:
                            status, devices, sinks, stats, attach TYPE DEVICE key=value..., detach NAME,
                            snapshot DEVICE FILE, keys [TYPE] (a sink type's keys). Human output, or --json
                            (see the operator guide).

                Options of run and shell:
                  --device SPEC        an mdev UUID, /sys/bus/mdev/devices/<uuid>, or a simulated vGPU:
                                       sim:mdpy-vga, sim:mdpy-xga, sim:mdpy-hd, sim:mbochs[?mode=WxH&...]
                                       (mode=WxH,WxH/SECONDS: the guest switches modes every SECONDS),
                                       sim:gvt[?tiling=x|y&...]. sim:mbochs and sim:gvt get mode=1024x768 and
                                       mmap=allow unless the spec says otherwise (CPU sinks need no GPU then).
                                       A running QEMU's display (-display dbus,p2p=yes):
                                       qemu-dbus:qmp:/path/to/qmp.sock[?console=N]; on a bus
                                       (-display dbus,addr=ADDRESS): qemu-dbus:bus:ADDRESS[?console=N].
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
                  --frames N           stop when every --sink has written N frames
                  --timeout SECONDS    with --frames (and for snapshot): give up, exit 1, when no new frame
                                       was written for this long (default 30; a still screen is captured
                                       only once); above 30 it also lengthens the wait for the device to
                                       go live with every sink attached (30 s otherwise)
                  --control PATH       the control socket for scanout ctl (default: see the operator guide)
                  --metrics HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (loopback only,
                                       for example 127.0.0.1:9464; installs bundles/metrics/)
                  --web HOST:PORT      serve the web console at http://HOST:PORT/ (loopback only, for
                                       example 127.0.0.1:8080; installs bundles/web/; other addresses
                                       with TLS and logins: conf/io.github.scanout.web.cfg)
                  --log-level LEVEL    error, warn (the default), info, debug, trace or off: what is logged
                                       (debug and trace with stack traces); conf/org.osgi.service.log.admin.cfg
                                       sets levels per logger (see the operator guide). Also for snapshot.
                  --gl auto|on|off     install the GL sink and importer bundle (auto: when a gl sink, a real
                                       device or a GL configuration in conf/ needs it)

                Examples:
                  scanout run --device sim:mbochs --sink file:out/?format=png --duration 5
                  scanout run --device sim:gvt --sink file:cap.y4m?format=y4m --frames 120
                  scanout shell --device sim:mdpy-xga

                Exit status: 0 after a clean stop; 1 when the device or a sink cannot start, when a sink wrote
                nothing of what it was asked to (the last line says why), or when --frames or snapshot timed out;
                2 for bad arguments.
                Files: conf/ (configurations), deploy/ (bundles) and the cache directory (see the README:
                $SCANOUT_CACHE, else $XDG_RUNTIME_DIR/scanout, else the distribution's cache/).
                """;
    }
}
