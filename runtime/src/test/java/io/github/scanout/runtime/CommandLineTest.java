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
        return CommandLine.parse(line.isEmpty() ? new String[0] : line.split(" "));
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
            assertThat(s.type()).isEqualTo(SinkType.FILE);
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
        "<none>|no command given; expected run, shell, devices or --help",
        "start|unknown command 'start'; expected run, shell, devices or --help",
        "-x run|unknown option '-x' before the command; expected run, shell, devices or --help",
        "run --verbose|unknown option '--verbose' for run; expected --device, --sink, --duration, --frames or --gl",
        "run --duration|--duration needs a value (SECONDS)",
        "run --duration five|--duration five is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --duration -1|--duration -1 is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --duration 0|--duration 0 is not accepted; expected a number of seconds greater than 0, for example 5 or 0.5",
        "run --frames 2.5 --device sim:mbochs --sink file:x|--frames 2.5 is not accepted; expected a whole number of frames greater than 0",
        "run --device sim:mbochs --sink file:x --duration 1 --frames 2|--duration and --frames exclude each other; give one",
        "run --sink file:x|--sink needs a --device to attach to",
        "run --device sim:mbochs --frames 3|--frames counts frames delivered to the --sink sinks; give at least one --sink",
        "run --device a --device b|--device is given twice ('a' and 'b'); one device per run",
        "run --device sim:mbochs --sink rdp:x|--sink 'rdp:x': unknown sink type 'rdp' (known: file, gl, vnc)",
        "run --device sim:mbochs --sink file|--sink 'file': the file sink needs a TARGET (its path), for example file:out/",
        "run --device sim:mbochs --sink file:out?format|--sink 'file:out?format': 'format' is not key=value",
        "run --device sim:mbochs --sink file:out?=png|--sink 'file:out?=png': '=png' is not key=value",
        "run --device sim:mbochs --sink file:out?|--sink 'file:out?': nothing after '?': expected key=value pairs joined by '&'",
        "run --device sim:mbochs --sink file:out?colour=red|--sink 'file:out?colour=red': unknown key 'colour' for a file sink (known: path, format, maxFps, onlyWhenChanged, keep, cursor, y4m.chroma, namePattern, atomic, fsync, sink.name)",
        "run --device sim:mbochs --sink file:out?format=bmp|--sink 'file:out?format=bmp': format=bmp is not accepted; expected one of png, raw, y4m",
        "run --device sim:mbochs --sink file:out?maxFps=2000|--sink 'file:out?maxFps=2000': maxFps=2000 is not accepted; expected a number from 0 to 1000 or auto",
        "run --device sim:mbochs --sink file:out?keep=-1|--sink 'file:out?keep=-1': keep=-1 is not accepted; expected a whole number from 0",
        "run --device sim:mbochs --sink file:out?namePattern=a/b|--sink 'file:out?namePattern=a/b': namePattern=a/b is not accepted; expected a file name: no / \\ or NUL, and braces only in {device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}",
        "run --device sim:mbochs --sink file:out?device=x|--sink 'file:out?device=x': 'device' is set from --device, not in a sink",
        "run --device sim:mbochs --sink file:out?path=b|--sink 'file:out?path=b': 'path' is given twice (TARGET sets it)",
        "run --device sim:mbochs --sink gl:fullscreen|--sink 'gl:fullscreen': TARGET 'fullscreen' is not accepted; expected one of window, headless",
        "run --device sim:mbochs --sink gl --gl off|--sink gl needs the GL bundle, but --gl is off",
        "run --gl maybe|--gl maybe is not accepted; expected auto, on or off",
        "devices --all|'devices' takes no arguments, got '--all'",
        "run --device <empty>|--device: empty device spec; give an mdev UUID, /sys/bus/mdev/devices/<uuid>, or sim:mbochs (see scanout devices)",
    })
    void refusalsNameTheArgumentAndWhatIsAccepted(String line, String message) {
        String[] a = line.equals("<none>") ? new String[0] : line.split(" ");
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].equals("<empty>") ? "" : a[i];
        }
        assertThatThrownBy(() -> CommandLine.parse(a)).isInstanceOf(UsageException.class).hasMessage(message);
        assertThat(message).doesNotContain("\n");
    }

    @Test
    void percentEscapesInValues() throws Exception {
        SinkSpec s = SinkSpec.parse("file:out?namePattern=a%26b%3D{seq}.png&sink.name=caf%C3%A9");
        assertThat(s.properties()).containsEntry("namePattern", "a&b={seq}.png").containsEntry("sink.name", "café");
        assertThatThrownBy(() -> SinkSpec.parse("file:out?sink.name=50%"))
                .hasMessage("--sink 'file:out?sink.name=50%': '50%' has a '%' that is not followed by two hex digits");
    }

    @Test
    void aGlSinkNeedsNoTarget() throws Exception {
        SinkSpec s = SinkSpec.parse("gl?scale=fit");
        assertThat(s.type()).isEqualTo(SinkType.GL);
        assertThat(s.properties()).containsExactly(java.util.Map.entry("scale", "fit"));
    }
}
