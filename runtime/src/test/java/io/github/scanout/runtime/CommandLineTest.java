package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line is checked completely before anything starts; every refusal is one line. */
class CommandLineTest {

    static CommandLine parse(String line) throws UsageException {
        return CommandLine.parse(SinkTypeTest.TYPES, line.isEmpty() ? new String[0] : line.split(" "));
    }

    @Test
    void logLevelIsAnOptionOfRunShellAndSnapshot() throws UsageException {
        assertThat(parse("run --device sim:mdpy-vga --log-level DEBUG").ops().logLevel()).contains(java.util.logging.Level.FINE);
        assertThat(parse("shell --log-level=error").ops().logLevel()).contains(java.util.logging.Level.SEVERE);
        assertThat(parse("snapshot --device sim:mbochs --log-level info a.png").ops().logLevel())
                .contains(java.util.logging.Level.INFO);
        assertThat(parse("run --device sim:mdpy-vga").ops().logLevel()).isEmpty();
    }

    @Test
    void theDemoCommand() throws Exception {
        CommandLine cl = parse("run --device sim:mbochs --sink file:out/?format=png --duration 5");
        assertThat(cl.command()).isEqualTo(CommandLine.Command.RUN);
        assertThat(cl.device()).hasValueSatisfying(d -> {
            assertThat(d.name()).isEqualTo("sim:mbochs");
            assertThat(d.spec()).isEqualTo("sim:mbochs?mode=1024x768&mmap=allow");
        });
        assertThat(cl.sinks()).singleElement().satisfies(s -> {
            assertThat(s.type().name()).isEqualTo(SinkType.FILE);
            assertThat(s.properties()).containsExactly(java.util.Map.entry("path", "out/"),
                    java.util.Map.entry("format", "png"));
        });
        assertThat(cl.duration()).contains(Duration.ofSeconds(5));
        assertThat(cl.frames()).isEmpty();
    }

    @Test
    void optionsAlsoTakeTheEqualsForm() throws Exception {
        CommandLine cl = parse("shell --device=sim:gvt --sink=gl:headless --frames=10 --gl=on");
        assertThat(cl.command()).isEqualTo(CommandLine.Command.SHELL);
        assertThat(cl.sinks()).singleElement().satisfies(s -> assertThat(s.target()).isEqualTo("headless"));
        assertThat(cl.frames()).hasValue(10);
        assertThat(cl.gl()).isEqualTo("on");
    }

    @Test
    void webTakesALoopbackAddress() throws Exception {
        assertThat(parse("run --device sim:mdpy-vga --web 127.0.0.1:8080").ops().web()).contains("127.0.0.1:8080");
        assertThat(parse("run --web=localhost:0").ops().web()).contains("localhost:0");
        assertThat(parse("run --web [::1]:9000").ops().web()).contains("[::1]:9000");
        assertThat(parse("run --device sim:mdpy-vga").ops().web()).isEmpty();
        assertThat(CommandLine.help()).contains("--web HOST:PORT");
    }

    @Test
    void fractionalDurations() throws Exception {
        assertThat(parse("run --duration 0.25").duration()).contains(Duration.ofMillis(250));
        assertThat(parse("run --duration 1e1").duration()).contains(Duration.ofSeconds(10));
    }

    @Test
    void helpAnywhereIsHelp() throws Exception {
        assertThat(parse("--help").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(parse("run --device x --help").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(CommandLine.help()).contains("scanout run", "scanout shell", "scanout devices", "--duration",
                "--frames", "file:DIR");
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
        "<none>|no command given; expected run, shell, devices, snapshot, ctl or --help",
        "start|unknown command 'start'; expected run, shell, devices, snapshot, ctl or --help",
        "-x run|unknown option '-x' before the command; expected run, shell, devices, snapshot, ctl or --help",
        "run --verbose|unknown option '--verbose' for run; expected --device, --sink, --duration, --frames, --timeout, --control, --metrics, --web, --log-level or --gl",
        "run --duration|--duration needs a value (SECONDS)",
        "run --metrics 0.0.0.0:9464|--metrics 0.0.0.0:9464 is not a loopback address: this version serves metrics on loopback only (no TLS, no authentication); scrape on this host or through a reverse proxy",
        "run --metrics x|--metrics x is not accepted; expected a port from 0 to 65535 (0 picks a free one), as HOST:PORT or PORT",
        "run --metrics 1:2:3|--metrics 1:2:3 is not accepted; expected HOST:PORT, [IPv6]:PORT or PORT (write an IPv6 address in brackets)",
        "run --metrics 9464 --metrics 9465|--metrics is given twice",
        "run --web 0.0.0.0:8080|--web 0.0.0.0:8080 is not a loopback address: there the web console needs TLS and logins, which the command line does not set; set listen, tls.cert, tls.key and htpasswd.file in conf/io.github.scanout.web.cfg, or browse on this host or through an SSH tunnel",
        "run --web [::]:8080|--web [::]:8080 is not a loopback address: there the web console needs TLS and logins, which the command line does not set; set listen, tls.cert, tls.key and htpasswd.file in conf/io.github.scanout.web.cfg, or browse on this host or through an SSH tunnel",
        "run --web example.org:8080|--web example.org:8080 is not accepted; expected an IP address or localhost before the port, for example 127.0.0.1:8080",
        "run --web 8080 --web 8081|--web is given twice",
        "run --web|--web needs a value (HOST:PORT)",
        "run --log-level info --log-level debug|--log-level is given twice",
        "run --device sim:mdpy-vga --log-level loud|--log-level 'loud' is not a level; expected error, warn, info, debug, trace or off",
        "run --log-level|--log-level needs a value (LEVEL)",
        "run --metrics example.org:9464|--metrics example.org:9464 is not accepted; expected an IP address or localhost before the port, for example 127.0.0.1:9464",
        "run --metrics [::]:9464|--metrics [::]:9464 is not a loopback address: this version serves metrics on loopback only (no TLS, no authentication); scrape on this host or through a reverse proxy",
        "run --duration five|--duration five is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --duration -1|--duration -1 is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --duration 0|--duration 0 is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --frames 2.5 --device sim:mbochs --sink file:x|--frames 2.5 is not accepted; expected a whole number of frames greater than 0",
        "run --device sim:mbochs --sink file:x --duration 1 --frames 2|--duration and --frames exclude each other; give one",
        "run --sink file:x|--sink needs a --device to attach to",
        "run --device sim:mbochs --frames 3|--frames counts frames written by the --sink sinks; give at least one --sink",
        "run --device a --device b|--device is given twice ('a' and 'b'); one device per run",
        "run --device sim:mbochs --sink tv:x|--sink 'tv:x': unknown sink type 'tv' (installed: file, gl)",
        "run --device sim:mbochs --sink file|--sink 'file': the file sink needs a TARGET (its path), for example file:out/",
        "run --device sim:mbochs --sink file:out?format|--sink 'file:out?format': 'format' is not key=value",
        "run --device sim:mbochs --sink file:out?=png|--sink 'file:out?=png': '=png' is not key=value",
        "run --device sim:mbochs --sink file:out?|--sink 'file:out?': nothing after '?': expected key=value pairs joined by '&'",
        "run --device sim:mbochs --sink file:out?colour=red|--sink 'file:out?colour=red': unknown key 'colour' for a file sink (known: path, format, max.fps, only.when.changed, keep, rotate.bytes, rotate.seconds, min.free.bytes, cursor, y4m.chroma, name.pattern, atomic, fsync, sink.name)",
        "run --device sim:mbochs --sink file:out?KEEP=3|--sink 'file:out?KEEP=3': unknown key 'KEEP' for a file sink (known: path, format, max.fps, only.when.changed, keep, rotate.bytes, rotate.seconds, min.free.bytes, cursor, y4m.chroma, name.pattern, atomic, fsync, sink.name)",
        "run --device sim:mbochs --sink file:out?maxFPS=3|--sink 'file:out?maxFPS=3': unknown key 'maxFPS' for a file sink (known: path, format, max.fps, only.when.changed, keep, rotate.bytes, rotate.seconds, min.free.bytes, cursor, y4m.chroma, name.pattern, atomic, fsync, sink.name)",
        "run --device sim:mbochs --sink file:out?keep=abc|--sink 'file:out?keep=abc': keep = 'abc' is refused: expected a whole number from 0 to 2147483647",
        "run --device sim:mbochs --sink file:x?keep=2147483648|--sink 'file:x?keep=2147483648': keep = '2147483648' is refused: expected a whole number from 0 to 2147483647",
        "run --device sim:mbochs --sink gl:headless?width=2147483648|--sink 'gl:headless?width=2147483648': width = '2147483648' is refused: expected a whole number from 0 to 16384",
        "run --device sim:mbochs --sink gl:headless?width=100000|--sink 'gl:headless?width=100000': width = '100000' is refused: expected a whole number from 0 to 16384",
        "run --device sim:mbochs --sink file:out?format=bmp|--sink 'file:out?format=bmp': format = 'bmp' is refused: expected one of png, raw, y4m",
        "run --device sim:mbochs --sink file:out?max.fps=2000|--sink 'file:out?max.fps=2000': max.fps = '2000' is refused: expected a number from 0 to 1000 or auto",
        "run --device sim:mbochs --sink file:out?keep=-1|--sink 'file:out?keep=-1': keep = '-1' is refused: expected a whole number from 0 to 2147483647",
        "run --device sim:mbochs --sink file:out?device=x|--sink 'file:out?device=x': 'device' is set from --device, not in a sink",
        "run --device sim:mbochs --sink file:out?path=b|--sink 'file:out?path=b': 'path' is given twice (TARGET sets it)",
        "run --device sim:mbochs --sink gl:fullscreen|--sink 'gl:fullscreen': mode = 'fullscreen' is refused: expected one of window, headless",
        "run --device sim:mbochs --sink gl --gl off|--sink gl needs the GL bundle, but --gl is off",
        "run --gl maybe|--gl maybe is not accepted; expected auto, on or off",
        "devices --all|'devices' takes no arguments, got '--all'",
        "run --device sim:mbochs --sink file:x --frames 2 --timeout 0|--timeout 0 is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --control|--control needs a value (PATH)",
        "snapshot x.png|snapshot needs --device SPEC: the device to take the picture of",
        "snapshot --device sim:mbochs|snapshot needs a FILE to write the picture to, for example screen.png",
        "snapshot --device sim:mbochs x.jpg|snapshot writes PNG; name the FILE *.png, got 'x.jpg'",
        "snapshot --device sim:mbochs a.png b.png|snapshot takes one FILE, got 'a.png' and 'b.png'",
        "snapshot --device sim:mbochs --sink file:x a.png|unknown option '--sink' for snapshot; expected --device SPEC, --timeout SECONDS, --gl, --log-level LEVEL or the FILE",
        "run --device <empty>|--device: empty device spec; give an mdev UUID, /sys/bus/mdev/devices/<uuid>, or sim:mbochs (see scanout devices)",
    })
    void refusalsNameTheArgumentAndWhatIsAccepted(String line, String message) {
        String[] a = line.equals("<none>") ? new String[0] : line.split(" ");
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].equals("<empty>") ? "" : a[i];
        }
        assertThatThrownBy(() -> CommandLine.parse(SinkTypeTest.TYPES, a)).isInstanceOf(UsageException.class).hasMessage(message);
        assertThat(message).doesNotContain("\n");
    }

    @Test
    void timeoutIsAcceptedByRunAndShell() throws Exception {
        CommandLine cl = parse("run --device sim:mbochs --sink file:x --timeout 200");
        assertThat(cl.ops().timeoutOrDefault()).isEqualTo(java.time.Duration.ofSeconds(200));
        assertThat(parse("run --device sim:mbochs --sink file:x").ops().timeoutOrDefault())
                .isEqualTo(CommandLine.DEFAULT_TIMEOUT);
        assertThat(parse("shell --device sim:mbochs --timeout 0.5").ops().timeoutOrDefault())
                .isEqualTo(java.time.Duration.ofMillis(500));
    }

    @Test
    void percentEscapesInValues() throws Exception {
        SinkSpec s = SinkSpec.parse("file:out?name.pattern=a%26b%3D{seq}.png&sink.name=caf%C3%A9", SinkTypeTest.TYPES);
        assertThat(s.properties()).containsEntry("name.pattern", "a&b={seq}.png").containsEntry("sink.name", "café");
        assertThatThrownBy(() -> SinkSpec.parse("file:out?sink.name=50%", SinkTypeTest.TYPES))
                .hasMessage("--sink 'file:out?sink.name=50%': '50%' has a '%' that is not followed by two hex digits");
    }

    @Test
    void aGlSinkNeedsNoTarget() throws Exception {
        SinkSpec s = SinkSpec.parse("gl?scale=fit", SinkTypeTest.TYPES);
        assertThat(s.type().name()).isEqualTo(SinkType.GL);
        assertThat(s.properties()).containsExactly(java.util.Map.entry("scale", "fit"));
    }

    @Test
    void anOldSpellingIsReadAsItsKeyWithOneWarning() throws Exception {
        CommandLine cl = parse("run --device sim:mbochs --sink file:out?maxFps=2&onlyWhenChanged=false");
        assertThat(cl.sinks().get(0).properties()).containsExactly(java.util.Map.entry("path", "out"),
                java.util.Map.entry("max.fps", "2"), java.util.Map.entry("only.when.changed", "false"));
        assertThat(cl.warnings()).containsExactly(
                "--sink 'file:out?maxFps=2&onlyWhenChanged=false': key 'maxFps' is deprecated; it is read as 'max.fps'"
                        + " (rename it)",
                "--sink 'file:out?maxFps=2&onlyWhenChanged=false': key 'onlyWhenChanged' is deprecated; it is read as"
                        + " 'only.when.changed' (rename it)");
    }
}
