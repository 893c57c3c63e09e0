package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Declarative Services adapter: built from a configuration's raw properties, refusing bad ones in
 * its constructor (SCR's activate), and the descriptors bnd generated for it: a factory
 * configuration that is required, a metatype with every key, and a bundle that exports nothing.
 */
class FileSinkComponentTest {
    @TempDir
    Path dir;

    @Test
    void aConfiguredComponentWritesFrames() throws Exception {
        FileSinkComponent component = new FileSinkComponent(props(dir, "max.fps", "0"));
        assertThat(component.needs().maxFps()).isZero();
        try (PlaneBuffer p = Frames.solid(4, 4, 0xabcdef)) {
            component.frame(Frames.frame(p, 1, 0));
        }
        component.deactivate();
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void aBadConfigurationStopsTheComponentWithOneLineNamingTheConfigurationKeyValueAndRule() {
        List<LogRecord> records = logged(() -> assertThatThrownBy(() -> new FileSinkComponent(props(dir, "format", "bmp")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.github.scanout.sink.file~desk"
                        + " (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg): format = 'bmp' is refused:"
                        + " expected one of png, raw, y4m"));
        assertThat(records).as("SCR logs the exception; the sink does not say it twice").isEmpty();
    }

    static final Map<String, Object> FROM_FILE = Map.of("service.pid", "io.github.scanout.sink.file~desk",
            "service.factoryPid", "io.github.scanout.sink.file", "felix.fileinstall.filename",
            "file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg", "component.name", "x", "component.id", 3L);

    /** Records of the sink's logger while {@code body} runs. */
    static List<LogRecord> logged(Runnable body) {
        Logger logger = Logger.getLogger("io.github.scanout.sink.file");
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (records) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(h);
        try {
            body.run();
        } finally {
            logger.removeHandler(h);
        }
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    static Map<String, Object> props(Path dir, Object... more) {
        Map<String, Object> m = new java.util.HashMap<>(FROM_FILE);
        m.put("device", "desk");
        m.put("path", dir.toString());
        m.put("sink.name", "desk");
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void anUnknownKeyIsOneWarningNamingTheKeyTheConfigurationAndTheKnownKeys() {
        List<LogRecord> records = logged(() -> new FileSinkComponent(props(dir, "formt", "png")).deactivate());
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(r.getMessage()).isEqualTo("configuration io.github.scanout.sink.file~desk"
                    + " (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg): unknown key 'formt' is ignored;"
                    + " the keys are device, path, format, max.fps, only.when.changed, keep, rotate.bytes, rotate.seconds,"
                    + " min.free.bytes, cursor, y4m.chroma,"
                    + " name.pattern, atomic, fsync, sink.name");
        });
    }

    @Test
    void aKeyInAnotherCaseIsAWarningNotADuplicateServiceProperty() throws IOException {
        // SCR merged the typed configuration's defaults (maxFps, keep...) into the service properties, so
        // maxFPS or KEEP made "Duplicate service property" and the sink vanished; now no defaults are merged
        List<LogRecord> records = logged(() -> new FileSinkComponent(props(dir, "KEEP", "3", "maxFPS", "5")).deactivate());
        assertThat(records).singleElement().satisfies(r -> assertThat(r.getMessage()).contains(
                "unknown keys 'KEEP' (keys are case-sensitive: did you mean keep?), 'maxFPS' (keys are case-sensitive:"
                        + " did you mean max.fps?) are ignored"));
        assertThat(resource("OSGI-INF/io.github.scanout.sink.file.internal.FileSinkComponent.xml"))
                .doesNotContain("<property ");
    }

    @Test
    void anOldSpellingIsReadWithOneDeprecationWarning() {
        List<LogRecord> records = new ArrayList<>();
        FileSinkComponent[] c = new FileSinkComponent[1];
        records.addAll(logged(() -> c[0] = new FileSinkComponent(props(dir, "maxFps", "4", "namePattern", "{seq}.png"))));
        assertThat(c[0].needs().maxFps()).isEqualTo(4);
        assertThat(c[0].sink().options().namePattern()).hasToString("{seq}.png");
        c[0].deactivate();
        assertThat(records).extracting(LogRecord::getMessage).containsExactly(
                "configuration io.github.scanout.sink.file~desk (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg):"
                        + " key 'maxFps' is deprecated; it is read as 'max.fps' (rename it)",
                "configuration io.github.scanout.sink.file~desk (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg):"
                        + " key 'namePattern' is deprecated; it is read as 'name.pattern' (rename it)");
    }

    @Test
    void knownAndFrameworkKeysAreNotWarnedAbout() {
        List<LogRecord> records = logged(() -> new FileSinkComponent(props(dir, "format", "png", "keep", "3",
                "osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)")).deactivate());
        assertThat(records).isEmpty();
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNotCoercedAndTheMessageNamesTheConfigurationAndItsFile() {
        assertThatThrownBy(() -> new FileSinkComponent(props(dir, "keep", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.github.scanout.sink.file~desk"
                        + " (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg): keep = 'many' is refused:"
                        + " expected a whole number from 0 to 2147483647");
        assertThatThrownBy(() -> new FileSinkComponent(props(dir, "keep", "99999999999999999999")))
                .hasMessageEndingWith("keep = '99999999999999999999' is refused: expected a whole number from 0 to 2147483647");
        assertThatThrownBy(() -> new FileSinkComponent(props(dir, "only.when.changed", "sometimes")))
                .hasMessageContaining(": only.when.changed = 'sometimes' is refused: expected true or false");
        assertThatThrownBy(() -> new FileSinkComponent(props(dir, "max.fps", "fast")))
                .hasMessageContaining("io.github.scanout.sink.file~desk").hasMessageContaining("max.fps = 'fast'");
    }

    @Test
    void typedValuesFromAConfigFileAreAccepted() {
        FileSinkComponent component = new FileSinkComponent(props(dir, "keep", 5, "only.when.changed", Boolean.FALSE,
                "max.fps", 2.5d));
        assertThat(component.sink().options().keep()).isEqualTo(5);
        assertThat(component.sink().options().onlyWhenChanged()).isFalse();
        assertThat(component.needs().maxFps()).isEqualTo(2.5);
        component.deactivate();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = FileSinkComponent.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("%s generated by bnd", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theComponentIsAFactoryConfigurationThatIsRequired() throws IOException {
        String xml = resource("OSGI-INF/io.github.scanout.sink.file.internal.FileSinkComponent.xml");
        assertThat(xml).contains("configuration-policy=\"require\"", "configuration-pid=\"io.github.scanout.sink.file\"",
                "<provide interface=\"io.github.scanout.api.sink.FrameSink\"/>", "deactivate=\"deactivate\"");
        String metatype = resource("OSGI-INF/metatype/io.github.scanout.sink.file.internal.FileSinkConfig.xml");
        assertThat(metatype).contains("<Designate factoryPid=\"io.github.scanout.sink.file\">");
        for (String key : new String[] {"device", "path", "format", "max.fps", "only.when.changed", "keep", "cursor",
            "y4m.chroma", "name.pattern", "atomic", "fsync"}) {
            assertThat(metatype).contains("<AD id=\"" + key + "\"");
        }
    }

    @Test
    void theBundleExportsNothing() throws IOException {
        Path manifest = Path.of("target/classes/META-INF/MANIFEST.MF");
        assertThat(manifest).as("bnd-process writes the manifest before tests run").exists();
        try (InputStream in = Files.newInputStream(manifest)) {
            Manifest m = new Manifest(in);
            assertThat(m.getMainAttributes().getValue("Export-Package")).isNull();
            assertThat(m.getMainAttributes().getValue("Bundle-SymbolicName"))
                    .isEqualTo("io.github.scanout.plugin-sink-file");
            assertThat(m.getMainAttributes().getValue("Service-Component")).contains("FileSinkComponent.xml");
        }
    }

    @Test
    void aStreamPathThatIsADirectoryAndASecondSinkOnTheSameFilesAreRefusedNamingTheConfiguration() {
        assertThatThrownBy(() -> new FileSinkComponent(props(dir, "format", "y4m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.github.scanout.sink.file~desk (file:/etc/scanout/conf/"
                        + "io.github.scanout.sink.file-desk.cfg): path = '" + dir + "' is refused: it is a directory");
        FileSinkComponent first = new FileSinkComponent(props(dir));
        try {
            assertThatThrownBy(() -> new FileSinkComponent(props(dir)))
                    .hasMessageStartingWith("configuration io.github.scanout.sink.file~desk (file:")
                    .hasMessageContaining("another file sink of this runtime already writes name.pattern");
        } finally {
            first.deactivate();
        }
    }
}
