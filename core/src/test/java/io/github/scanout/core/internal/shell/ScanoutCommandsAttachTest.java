package io.github.scanout.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigException;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.SinkBundles;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * {@code scanout:attach}: the sink type and its keys come from the bundles' metatype
 * ({@link SinkTypes} with {@link SinkBundles}), and the configuration is checked up front with the configuration toolkit,
 * so a refusal is one line and nothing is configured.
 */
class ScanoutCommandsAttachTest {

    /** The file sink's metatype as bnd writes it (shortened to four keys). */
    static final String FILE_METATYPE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
              <OCD id="io.github.scanout.sink.file.internal.FileSinkConfig" name="Scanout file sink">
                <AD id="device" type="String" default=""/>
                <AD id="path" type="String"/>
                <AD id="max.fps" type="Double" min="0" max="1000" default="auto">
                  <Option label="auto" value="auto"/>
                </AD>
                <AD id="keep" type="Integer" min="0" default="0"/>
              </OCD>
              <Designate factoryPid="io.github.scanout.sink.file">
                <Object ocdref="io.github.scanout.sink.file.internal.FileSinkConfig"/>
              </Designate>
            </metatype:MetaData>
            """;
    static final String FILE_COMPONENT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="x.FileSinkComponent"
                configuration-policy="require" configuration-pid="io.github.scanout.sink.file">
              <service>
                <provide interface="io.github.scanout.api.sink.FrameSink"/>
              </service>
              <implementation class="x.FileSinkComponent"/>
            </scr:component>
            """;
    static final String VNC_METATYPE = """
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
              <OCD id="v.VncConfig" name="VNC"><AD id="port" type="Integer" min="0" max="65535" default="5900"/></OCD>
              <Designate factoryPid="io.github.scanout.sink.vnc"><Object ocdref="v.VncConfig"/></Designate>
            </metatype:MetaData>
            """;
    static final String VNC_COMPONENT = """
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="v.Vnc" configuration-pid="io.github.scanout.sink.vnc">
              <service><provide interface="io.github.scanout.api.sink.FrameSink"/></service>
            </scr:component>
            """;
    /** A component with a factory configuration that is not a sink: not a sink type. */
    static final String DEVICE_COMPONENT = """
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="d.Device" configuration-pid="io.github.scanout.device">
              <service><provide interface="io.github.scanout.core.ManagedPipeline"/></service>
            </scr:component>
            """;
    static final String DEVICE_METATYPE = """
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
              <OCD id="d.DeviceConfig" name="Device"><AD id="spec" type="String"/></OCD>
              <Designate factoryPid="io.github.scanout.device"><Object ocdref="d.DeviceConfig"/></Designate>
            </metatype:MetaData>
            """;

    private final FakeConfigAdmin cm = new FakeConfigAdmin();
    private ScanoutCommands commands;

    @BeforeEach
    void setUp() throws IOException {
        Map<String, SinkBundles.Offer> types = new TreeMap<>();
        for (SinkBundles.Offer t : SinkBundles.offered(List.of(FILE_COMPONENT, VNC_COMPONENT, DEVICE_COMPONENT),
                List.of(metatype(FILE_METATYPE), metatype(VNC_METATYPE), metatype(DEVICE_METATYPE)))) {
            types.put(t.name(), t);
        }
        commands = new ScanoutCommands(cm, () -> types);
        commands.addPipeline(new FakePipeline("desk"));
    }

    @Test
    void sinkTypesAreTheSinkComponentsWhoseConfigurationPidTheMetatypeDesignates() throws IOException {
        List<SinkBundles.Offer> types = SinkBundles.offered(List.of(FILE_COMPONENT, DEVICE_COMPONENT),
                List.of(metatype(FILE_METATYPE), metatype(DEVICE_METATYPE)));
        assertThat(types).extracting(SinkBundles.Offer::name).containsExactly("file");
        assertThat(types.get(0).pid()).isEqualTo("io.github.scanout.sink.file");
        assertThat(types.get(0).keys()).extracting(ConfigKey::name)
                .containsExactly("device", "path", "max.fps", "keep", FrameSink.NAME_PROPERTY);
        // a sink component whose PID no metatype designates is no type: its keys are unknown
        assertThat(SinkBundles.offered(List.of(VNC_COMPONENT), List.of(metatype(FILE_METATYPE)))).isEmpty();
    }

    @Test
    void keysListsATypesKeysWithWhatEachAcceptsFromItsMetatype() {
        String keys = commands.keys("file");
        assertThat(keys.lines().toList()).first().isEqualTo(
                "file sink keys (configuration factory PID io.github.scanout.sink.file):");
        assertThat(keys).containsPattern("(?m)^max\\.fps +a number from 0 to 1000 or auto; default auto$")
                .containsPattern("(?m)^keep +a whole number from 0 to 2147483647; default 0$")
                .containsPattern("(?m)^path +text; required$")
                .containsPattern("(?m)^device +text; default empty$");
        assertThat(commands.keys("io.github.scanout.sink.file")).isEqualTo(keys);
        assertThat(commands.keys()).isEqualTo("sink types: file, vnc (scanout:keys TYPE lists a type's keys)");
        assertThatThrownBy(() -> commands.keys("http")).hasMessage("no sink type http (known: file, vnc)");
    }

    @Test
    void withoutArgumentsItPrintsTheUsage() {
        assertThat(commands.attach()).startsWith("usage: scanout:attach SINKTYPE DEVICE [key=value...]");
        assertThat(commands.attach("file")).isEqualTo(commands.attach());
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> commands.attach("http", "desk", "port=8080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no sink type http (known: file, vnc)");
        assertThat(cm.configurations).isEmpty();
    }

    @Test
    void aRefusedValueIsOneLineAndNothingIsConfigured() {
        assertThatThrownBy(() -> commands.attach("file", "desk", "path=/tmp/shots", "keep=abc"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration io.github.scanout.sink.file~file-1: keep = 'abc' is refused:"
                        + " expected a whole number from 0 to 2147483647");
        // the range is the field's (an int), as in the launcher and the component
        assertThatThrownBy(() -> commands.attach("file", "desk", "path=/tmp/shots", "keep=2147483648"))
                .hasMessage("configuration io.github.scanout.sink.file~file-1: keep = '2147483648' is refused:"
                        + " expected a whole number from 0 to 2147483647");
        assertThatThrownBy(() -> commands.attach("file", "desk", "path=/tmp/shots", "max.fps=fast"))
                .hasMessage("configuration io.github.scanout.sink.file~file-1: max.fps = 'fast' is refused:"
                        + " expected a number from 0 to 1000 or auto");
        assertThatThrownBy(() -> commands.attach("file", "desk", "keep=1"))
                .hasMessageStartingWith("configuration io.github.scanout.sink.file~file-1: path is missing; expected");
        assertThat(cm.configurations).isEmpty();
    }

    @Test
    void anUnknownDeviceIsRefused() {
        assertThatThrownBy(() -> commands.attach("file", "hall", "path=/tmp/shots"))
                .hasMessage("no device named 'hall'; configured: [desk]");
        assertThat(cm.configurations).isEmpty();
    }

    @Test
    void aCaseVariantOfAKeyIsAWarningAndTheSinkIsConfigured() throws Exception {
        String out = commands.attach("file", "desk", "path=/tmp/shots", "maxFPS=5");
        assertThat(out.lines().toList().get(0)).isEqualTo("warning: configuration io.github.scanout.sink.file~file-1:"
                + " unknown key 'maxFPS' (keys are case-sensitive: did you mean max.fps?) is ignored; the keys are"
                + " device, path, max.fps, keep, sink.name");
        // nothing attaches in this test (no sink bundle), so the command says so after its wait
        assertThat(out.lines().toList().get(1)).startsWith("configured file-1 (io.github.scanout.sink.file~file-1)"
                + " for desk, but it is not attached");
        Configuration c = cm.configurations.get("io.github.scanout.sink.file~file-1");
        assertThat(c.getProperties().get("device")).isEqualTo("desk");
        assertThat(c.getProperties().get("sink.name")).isEqualTo("file-1");
        assertThat(c.getProperties().get("path")).isEqualTo("/tmp/shots");
    }

    @Test
    void anOldSpellingIsADeprecationWarningAndAFullPidNamesTheType() throws Exception {
        String out = commands.attach("io.github.scanout.sink.file", "desk", "path=/tmp/shots", "maxFps=5",
                "sink.name=snap");
        assertThat(out).startsWith("warning: configuration io.github.scanout.sink.file~snap: key 'maxFps' is"
                + " deprecated; it is read as 'max.fps' (rename it)\n");
        assertThat(cm.configurations).containsOnlyKeys("io.github.scanout.sink.file~snap");
    }

    private static ConfigKey.Metatype metatype(String xml) throws IOException {
        return ConfigKey.readMetatype(new ByteArrayInputStream(xml.strip().getBytes(StandardCharsets.UTF_8)));
    }

    /** A pipeline that is there and attaches nothing. */
    record FakePipeline(String name) implements ManagedPipeline {
        @Override
        public String spec() {
            return "sim:mbochs";
        }

        @Override
        public PipelineState state() {
            return PipelineState.FAILED;
        }

        @Override
        public PipelineStats stats() {
            return PipelineStats.refused(name, spec(), "a test pipeline");
        }

        @Override
        public SinkHandle attach(FrameSink sink, String sinkName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reopen() {
        }
    }

    /** ConfigAdmin's factory configurations in a map: what attach and detach use of it. */
    static final class FakeConfigAdmin implements ConfigurationAdmin {
        final Map<String, FakeConfiguration> configurations = new LinkedHashMap<>();

        @Override
        public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
            String pid = factoryPid + "~" + name;
            FakeConfiguration c = configurations.get(pid);
            return c != null ? c : new FakeConfiguration(this, pid, factoryPid);
        }

        @Override
        public Configuration getFactoryConfiguration(String factoryPid, String name) {
            return getFactoryConfiguration(factoryPid, name, "?");
        }

        @Override
        public Configuration[] listConfigurations(String filter) {
            // the commands ask only for factory configurations
            List<Configuration> out = new ArrayList<>(configurations.values());
            return out.isEmpty() ? null : out.toArray(Configuration[]::new);
        }

        @Override
        public Configuration createFactoryConfiguration(String factoryPid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Configuration createFactoryConfiguration(String factoryPid, String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Configuration getConfiguration(String pid, String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Configuration getConfiguration(String pid) {
            throw new UnsupportedOperationException();
        }
    }

    static final class FakeConfiguration implements Configuration {
        private final FakeConfigAdmin cm;
        private final String pid;
        private final String factoryPid;
        private Hashtable<String, Object> properties;
        private long changes;

        FakeConfiguration(FakeConfigAdmin cm, String pid, String factoryPid) {
            this.cm = cm;
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            if (properties == null) {
                return null;
            }
            Hashtable<String, Object> copy = new Hashtable<>(properties);
            copy.put("service.pid", pid);
            copy.put("service.factoryPid", factoryPid);
            return copy;
        }

        @Override
        public void update(Dictionary<String, ?> props) {
            properties = new Hashtable<>();
            for (String k : Collections.list(props.keys())) {
                properties.put(k, props.get(k));
            }
            changes++;
            cm.configurations.put(pid, this);
        }

        @Override
        public void delete() {
            cm.configurations.remove(pid);
        }

        @Override
        public long getChangeCount() {
            return changes;
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> props) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setBundleLocation(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return Set.of();
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }
    }
}
