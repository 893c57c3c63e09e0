package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkBundlesTest {

    static final String METATYPE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
              <OCD id="x.TeeConfig" name="Tee"><AD id="target" type="String"/><AD id="copies" type="Integer" min="1" default="2"/></OCD>
              <OCD id="x.PlainConfig" name="Plain"><AD id="level" type="Integer" default="1"/></OCD>
              <Designate factoryPid="com.example.sink.Tee"><Object ocdref="x.TeeConfig"/></Designate>
              <Designate pid="com.example.plain"><Object ocdref="x.PlainConfig"/></Designate>
            </metatype:MetaData>
            """;

    static String component(String pid, String iface) {
        return "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.4.0\" name=\"x\" configuration-pid=\""
                + pid + "\"><service><provide interface=\"" + iface + "\"/></service></scr:component>";
    }

    static ConfigKey.Metatype metatype() throws IOException {
        return ConfigKey.readMetatype(new ByteArrayInputStream(METATYPE.strip().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSinkComponentWhoseFactoryPidTheMetatypeDesignatesIsATypeNamedByThePidsLastSegment() throws IOException {
        List<SinkBundles.Offer> offers = SinkBundles.offered(
                List.of(component("com.example.sink.Tee", "io.github.scanout.api.sink.FrameSink")), List.of(metatype()));
        assertThat(offers).singleElement().satisfies(o -> {
            assertThat(o.name()).isEqualTo("tee");
            assertThat(o.pid()).isEqualTo("com.example.sink.Tee");
            assertThat(o.keys()).extracting(ConfigKey::name).containsExactly("target", "copies", "device", "sink.name");
        });
    }

    @Test
    void notASinkOrNotAFactoryPidOrNoMetatypeIsNoType() throws IOException {
        assertThat(SinkBundles.offered(List.of(component("com.example.sink.Tee", "java.lang.Runnable")),
                List.of(metatype()))).as("not a FrameSink").isEmpty();
        assertThat(SinkBundles.offered(List.of(component("com.example.plain", "io.github.scanout.api.sink.FrameSink")),
                List.of(metatype()))).as("a singleton PID").isEmpty();
        assertThat(SinkBundles.offered(List.of(component("com.example.sink.Tee", "io.github.scanout.api.sink.FrameSink")),
                List.of())).as("no metatype: its keys are unknown").isEmpty();
    }

    @Test
    void componentDescriptionsAreTheXmlFilesDirectlyInOsgiInfAndMetatypesThoseInItsMetatypeFolder() {
        assertThat(SinkBundles.isComponentDescription("OSGI-INF/x.FileSinkComponent.xml")).isTrue();
        assertThat(SinkBundles.isComponentDescription("OSGI-INF/metatype/x.xml")).isFalse();
        assertThat(SinkBundles.isComponentDescription("OSGI-INF/x.properties")).isFalse();
        assertThat(SinkBundles.isMetatype("OSGI-INF/metatype/x.xml")).isTrue();
        assertThat(SinkBundles.isMetatype("OSGI-INF/x.xml")).isFalse();
        assertThat(SinkBundles.isMetatype("META-INF/metatype/x.xml")).isFalse();
    }

    @Test
    void knownNamesAreSortedOrSayNoneIsInstalled() {
        assertThat(SinkBundles.knownNames(List.of("vnc", "file", "gl"))).isEqualTo("file, gl, vnc");
        assertThat(SinkBundles.knownNames(List.of())).isEqualTo("none installed");
    }
}
