package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.sim.SimDevices;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
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
 * carry only their type's keys (never {@code device}), whose every value the sink's own keys and
 * rules (its bundle's metatype, read with the configuration toolkit) accept without a warning,
 * and whose file sinks the file sink's own code accepts whole (its rules between keys too, such
 * as its refusal of {@code cursor=true} with {@code format=raw}: the launcher asks the sink's
 * {@code check}), and whose demo defaults keep a valid simulated device spec valid. Nothing else
 * escapes.
 */
class CommandLineFuzzTest {

    static final String[] COMMANDS = {"run", "shell", "devices", "--help", "--version", "run", "run", "help"};
    static final String[] OPTIONS = {"", "--device", "--sink", "--duration", "--frames", "--gl", "--metrics"};

    /** Each shipped sink's keys, as its own bundle's metatype declares them, by factory PID. */
    static final Map<String, List<ConfigKey>> SINKS = sinkKeys();

    /**
     * The file sink type read from its own bundle jar, with the component's static check loaded
     * from that jar (its code, not the launcher's copy of a rule).
     */
    static final SinkType FILE_SINK = fileSink();

    static SinkType fileSink() {
        try {
            return SinkType.fromJar(SinkTypeTest.locate("scanout-plugin-sink-file")).stream()
                    .filter(t -> t.is(SinkType.FILE)).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, List<ConfigKey>> sinkKeys() {
        Map<String, List<ConfigKey>> out = new HashMap<>();
        for (String artifact : List.of("scanout-plugin-sink-file", "scanout-plugin-sink-gl")) {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(SinkTypeTest.locate(artifact).toFile())) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(jar.entries())) {
                    if (e.getName().startsWith("OSGI-INF/metatype/") && e.getName().endsWith(".xml")) {
                        ConfigKey.Metatype m = ConfigKey.readMetatype(jar.getInputStream(e));
                        m.factories().forEach(pid -> out.put(pid, m.keysOf(pid)));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        List<String> args = new ArrayList<>();
        for (String a : new String(data, StandardCharsets.UTF_8).split("\0", -1)) {
            if (args.isEmpty() && a.length() == 1 && a.charAt(0) < 8) {
                args.add(COMMANDS[a.charAt(0)]);
            } else if (a.length() == 1 && a.charAt(0) >= 1 && a.charAt(0) <= 6) {
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
            cl = CommandLine.parse(SinkTypeTest.TYPES, args.toArray(String[]::new));
        } catch (UsageException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(cl.gl()).isIn("auto", "on", "off");
        cl.duration().ifPresent(d -> assertThat(d.isNegative()).isFalse());
        cl.frames().ifPresent(f -> assertThat(f).isPositive());
        for (SinkSpec s : cl.sinks()) {
            assertThat(s.properties()).doesNotContainKey(SinkType.DEVICE);
            assertThat(s.type().keyNames()).containsAll(s.properties().keySet());
            // what the launcher lets through, the sink accepts: its own keys and rules, read from its bundle
            Map<String, String> config = new HashMap<>(s.properties());
            config.put(SinkType.DEVICE, cl.device().map(DeviceSpec::name).orElse("x"));
            ConfigReader sink = ConfigReader.forSink("sink", SINKS.get(s.type().pid()), config);
            assertThat(sink.errors()).as("%s", s.text()).isEmpty();
            assertThat(sink.warnings()).as("%s", s.text()).isEmpty();
            if (s.type().is(SinkType.FILE)) {
                // the rules between keys, from the sink's own code: what the sink builds itself with
                assertThat(FILE_SINK.check().apply("sink", config)).as("%s", s.text()).isNull();
            }
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
