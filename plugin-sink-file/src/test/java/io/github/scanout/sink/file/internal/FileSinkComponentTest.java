package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
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
 * The Declarative Services adapter: built from a typed configuration, refusing bad ones in
 * its constructor (SCR's activate), and the descriptors bnd generated for it: a factory
 * configuration that is required, a metatype with every key, and a bundle that exports nothing.
 */
class FileSinkComponentTest {
    @TempDir
    Path dir;

    /** A configuration as SCR would hand it over, with overridable values. */
    static class Config implements FileSinkConfig {
        String path;
        String format = "png";
        String maxFps = "auto";
        int keep;
        String pattern = NamePattern.DEFAULT;

        Config(Path path) {
            this.path = path.toString();
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return FileSinkConfig.class;
        }

        @Override
        public String device() {
            return "sim:mdpy-vga";
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String format() {
            return format;
        }

        @Override
        public String maxFps() {
            return maxFps;
        }

        @Override
        public boolean onlyWhenChanged() {
            return true;
        }

        @Override
        public int keep() {
            return keep;
        }

        @Override
        public String cursor() {
            return "auto";
        }

        @Override
        public String y4m_chroma() {
            return "420";
        }

        @Override
        public String namePattern() {
            return pattern;
        }

        @Override
        public boolean atomic() {
            return true;
        }

        @Override
        public boolean fsync() {
            return false;
        }
    }

    @Test
    void aConfiguredComponentWritesFrames() throws IOException {
        Config c = new Config(dir);
        c.maxFps = "0";
        FileSinkComponent component = new FileSinkComponent(c);
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
    void aBadConfigurationStopsTheComponentWithTheKeyInTheMessage() {
        Config c = new Config(dir);
        c.format = "bmp";
        assertThatThrownBy(() -> new FileSinkComponent(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file sink configuration: format = 'bmp' is not accepted; expected png, raw or y4m");
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
        Config c = new Config(dir);
        List<LogRecord> records = logged(() -> new FileSinkComponent(c, props(dir, "formt", "png")).deactivate());
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(r.getMessage()).isEqualTo("file sink configuration io.github.scanout.sink.file~desk"
                    + " (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg): unknown key 'formt' is ignored;"
                    + " the keys are device, path, format, maxFps, onlyWhenChanged, keep, cursor, y4m.chroma, namePattern,"
                    + " atomic, fsync, sink.name");
        });
    }

    @Test
    void knownAndFrameworkKeysAreNotWarnedAbout() {
        Config c = new Config(dir);
        List<LogRecord> records = logged(() -> new FileSinkComponent(c, props(dir, "format", "png", "keep", "3",
                "osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)")).deactivate());
        assertThat(records).isEmpty();
        assertThat(FileSinkOptions.unknownKeys(List.of("b", "a", "path", "sink.name", "service.ranking")))
                .containsExactly("a", "b");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNotCoercedAndTheMessageNamesTheConfigurationAndItsFile() {
        Config c = new Config(dir); // DS would hand keep() = 0 for "many"
        assertThatThrownBy(() -> new FileSinkComponent(c, props(dir, "keep", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file sink configuration io.github.scanout.sink.file~desk"
                        + " (file:/etc/scanout/conf/io.github.scanout.sink.file-desk.cfg): keep = 'many' is not accepted;"
                        + " expected 0 (keep every file) or a positive count of files to keep");
        assertThatThrownBy(() -> new FileSinkComponent(c, props(dir, "onlyWhenChanged", "sometimes")))
                .hasMessageContaining(": onlyWhenChanged = 'sometimes' is not accepted; expected true or false");
        assertThatThrownBy(() -> new FileSinkComponent(c, props(dir, "maxFps", "fast")))
                .hasMessageContaining("io.github.scanout.sink.file~desk").hasMessageContaining("maxFps = 'fast'");
    }

    @Test
    void typedValuesFromAConfigFileAreAccepted() {
        Config c = new Config(dir);
        FileSinkComponent component = new FileSinkComponent(c, props(dir, "keep", 5, "onlyWhenChanged", Boolean.FALSE,
                "maxFps", 2.5d));
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
                "<provide interface=\"io.github.scanout.api.sink.FrameSink\"/>", "deactivate=\"deactivate\"",
                "name=\"y4m.chroma\"");
        String metatype = resource("OSGI-INF/metatype/io.github.scanout.sink.file.internal.FileSinkConfig.xml");
        assertThat(metatype).contains("<Designate factoryPid=\"io.github.scanout.sink.file\">");
        for (String key : new String[] {"device", "path", "format", "maxFps", "onlyWhenChanged", "keep", "cursor",
            "y4m.chroma", "namePattern", "atomic", "fsync"}) {
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
}
