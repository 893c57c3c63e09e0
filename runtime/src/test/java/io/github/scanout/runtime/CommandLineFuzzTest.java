package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.sim.SimDevices;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the operator's command line: {@link CommandLine#parse} with its {@code --device}
 * ({@link DeviceSpec}) and {@code --sink} ({@link SinkSpec}, with {@code %XX} escapes) parsers.
 *
 * <p>Input: the arguments, separated by NUL bytes (UTF-8); a first argument of one byte below
 * 8 stands for a command ({@code run}, {@code shell}, {@code devices}, {@code --help}...), and
 * so does an argument of one byte 1 to 5 for an option name ({@code --device}, {@code --sink},
 * {@code --duration}, {@code --frames}, {@code --gl}).
 *
 * <p>Contract: a {@link UsageException} with one line of text, or a command line whose sinks
 * carry only their type's keys (never {@code device}) and whose demo defaults keep a valid
 * simulated device spec valid. Nothing else escapes. (The launcher checks sink values only
 * roughly, "the sink checks the rest": a value it lets through may still be refused by the sink
 * when it starts, which is exit status 1, so that is not asserted here.)
 */
class CommandLineFuzzTest {

    static final String[] COMMANDS = {"run", "shell", "devices", "--help", "--version", "run", "run", "help"};
    static final String[] OPTIONS = {"", "--device", "--sink", "--duration", "--frames", "--gl"};

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        List<String> args = new ArrayList<>();
        for (String a : new String(data, StandardCharsets.UTF_8).split("\0", -1)) {
            if (args.isEmpty() && a.length() == 1 && a.charAt(0) < 8) {
                args.add(COMMANDS[a.charAt(0)]);
            } else if (a.length() == 1 && a.charAt(0) >= 1 && a.charAt(0) <= 5) {
                args.add(OPTIONS[a.charAt(0)]);
            } else {
                args.add(a);
            }
        }
        if (data.length == 0) {
            args.clear();
        }
        CommandLine cl;
        try {
            cl = CommandLine.parse(args.toArray(String[]::new));
        } catch (UsageException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(cl.gl()).isIn("auto", "on", "off");
        cl.duration().ifPresent(d -> assertThat(d.isNegative()).isFalse());
        cl.frames().ifPresent(f -> assertThat(f).isPositive());
        for (SinkSpec s : cl.sinks()) {
            assertThat(s.properties()).doesNotContainKey(SinkType.DEVICE);
            assertThat(s.type().keys().keySet()).containsAll(s.properties().keySet());
        }
        cl.device().ifPresent(CommandLineFuzzTest::defaultsKeepSpecsValid);
    }

    /** A simulated device spec that opens as given also opens with the launcher's demo defaults. */
    static void defaultsKeepSpecsValid(DeviceSpec d) {
        if (!d.simulated()) {
            assertThat(d.spec()).isEqualTo(d.name());
            return;
        }
        try {
            SimDevices.create(d.name());
        } catch (DeviceException e) {
            return;
        }
        try {
            SimDevices.create(d.spec());
        } catch (DeviceException e) {
            throw new AssertionError("'" + d.name() + "' is a valid spec but the launcher made it '" + d.spec() + "': "
                    + e.getMessage(), e);
        }
    }
}
