package io.github.scanout.example.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration sets of {@code examples/conf/} in a running distribution, as shipped except
 * that {@code /var/lib/scanout} becomes a temporary directory. ({@code watch-one-vm} needs a
 * display and is not run here; like every set, its keys and values are checked against the
 * metatype the distribution's bundles declare.)
 */
class ConfExamplesIT {
    @TempDir
    Path work;

    /** Copies a set into conf/, its paths moved under {@code work/out} and its rates changed as {@code rates} says. */
    private void install(String set, RunningScanout scanout, String... rates) throws IOException {
        Path out = work.resolve("out");
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("examples.conf"), set))) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1).replace("/var/lib/scanout", out.toString());
                for (int i = 0; i + 1 < rates.length; i += 2) {
                    text = text.replace(rates[i], rates[i + 1]);
                }
                scanout.configure(f.getFileName().toString(), text);
            }
        }
    }

    @Test
    void recordOneVmToY4m() throws Exception {
        // as shipped
        Files.createDirectories(work.resolve("out"));
        Path y4m = work.resolve("out/vm1.y4m");
        try (RunningScanout scanout = RunningScanout.start(work)) {
            install("record-one-vm-y4m", scanout);
            scanout.await("10 frames in " + y4m, () -> frames(y4m) >= 10);
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
        String header = new String(Files.readAllBytes(y4m), 0, 40, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("YUV4MPEG2 W1024 H768 F30:1");
    }

    @Test
    void snapshotManyVms() throws Exception {
        for (int vm = 1; vm <= 3; vm++) {
            Files.createDirectories(work.resolve("out/snapshots/vm" + vm));
        }
        try (RunningScanout scanout = RunningScanout.start(work)) {
            // once a second instead of once a minute: a sink that asks for one frame a minute has its
            // device polled once a minute, and mbochs answers the first query of a mode with ENOMEM
            install("snapshot-many-vms", scanout, "max.fps = 0.0166667", "max.fps = 1");
            for (int vm = 1; vm <= 3; vm++) {
                Path dir = work.resolve("out/snapshots/vm" + vm);
                scanout.await("a snapshot in " + dir, () -> !DeployExamplesIT.pngs(dir).isEmpty());
            }
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
    }

    private static long frames(Path y4m) {
        if (!Files.exists(y4m)) {
            return 0;
        }
        // the first 64 MiB only (10 frames of 1024x768 4:2:0 are 12 MiB): the recording grows by tens
        // of MB a second, and a loaded machine that polls late must not read gigabytes (it once ran
        // out of array size at 2 GiB, leaving the recording running)
        try (java.io.InputStream in = Files.newInputStream(y4m)) {
            String text = new String(in.readNBytes(64 << 20), StandardCharsets.ISO_8859_1);
            return text.split("FRAME\n", -1).length - 1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyKeyOfEverySetIsOneItsComponentDeclares() throws Exception {
        // read with the same toolkit (and metatype) the components and the launcher read them with
        Map<String, List<ConfigKey>> declared = declaredConfigurations();
        List<String> problems = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(System.getProperty("examples.conf")))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cfg")).sorted().toList()) {
                String file = f.getFileName().toString();
                String pid = file.substring(0, file.indexOf('-'));
                List<ConfigKey> keys = declared.get(pid);
                if (keys == null) {
                    problems.add(f + ": no bundle declares a configuration " + pid + " (declared: " + declared.keySet() + ")");
                    continue;
                }
                Properties props = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
                    props.load(r);
                }
                Map<String, String> values = new HashMap<>();
                props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
                ConfigReader reader = pid.contains(".sink.") ? ConfigReader.forSink(f.toString(), keys, values)
                        : new ConfigReader(f.toString(), keys, values);
                problems.addAll(reader.errors());
                problems.addAll(reader.warnings()); // unknown keys and old spellings
            }
        }
        assertThat(problems).isEmpty();
    }

    /** PID (or factory PID) to its keys, from every bundle's OSGI-INF/metatype. */
    private static Map<String, List<ConfigKey>> declaredConfigurations() throws Exception {
        Map<String, List<ConfigKey>> byPid = new HashMap<>();
        Path bundles = Path.of(System.getProperty("scanout.dist"), "bundles");
        try (Stream<Path> jars = Files.walk(bundles)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (JarFile j = new JarFile(jar.toFile())) {
                    for (var e : j.stream().filter(e -> e.getName().startsWith("OSGI-INF/metatype/")
                            && e.getName().endsWith(".xml")).toList()) {
                        ConfigKey.Metatype mt = ConfigKey.readMetatype(j.getInputStream(e));
                        for (String pid : mt.designates().keySet()) {
                            byPid.put(pid, mt.keysOf(pid));
                        }
                    }
                }
            }
        }
        return byPid;
    }
}
