package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.nio.charset.StandardCharsets;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's sink types are read from the bundles, not written in the launcher: the bundles on
 * the test class path (the ones the distribution ships) give the file and GL types with their
 * metatype's keys, and a third party's bundle made here gives a type the launcher has never heard of.
 */
class SinkTypeTest {

    /** The sink types of the bundles the distribution ships. */
    static final Map<String, SinkType> TYPES = shipped();

    static Map<String, SinkType> shipped() {
        try {
            return SinkType.fromJars(List.of(locate("scanout-plugin-sink-file"), locate("scanout-plugin-sink-gl")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theShippedTypesAndTheirKeysComeFromTheMetatype() {
        assertThat(TYPES).containsOnlyKeys("file", "gl");
        SinkType file = TYPES.get("file");
        assertThat(file.pid()).isEqualTo("io.github.scanout.sink.file");
        assertThat(file.targetKey()).isEqualTo("path");
        assertThat(file.targetRequired()).isTrue();
        assertThat(file.keyNames()).containsExactly("device", "path", "format", "max.fps", "only.when.changed", "keep",
                "rotate.bytes", "rotate.seconds", "min.free.bytes", "cursor", "y4m.chroma", "name.pattern", "atomic",
                "fsync", "sink.name");
        // the rules between keys come from the sink's own code, loaded from its jar
        assertThat(file.check().apply("--sink 'file:c.raw?format=raw&cursor=true'", Map.of("device", "d", "path",
                "c.raw", "format", "raw", "cursor", "true"))).isEqualTo("--sink 'file:c.raw?format=raw&cursor=true':"
                + " cursor = 'true' is refused: expected false or auto for format raw: a raw stream holds the plane's"
                + " bytes as they are; the cursor can be composited into png and y4m");
        assertThat(file.check().apply("x", Map.of("device", "d", "path", "c.raw", "format", "raw"))).isNull();
        assertThat(file.key("keep").rule()).isEqualTo("a whole number from 0 to 2147483647");
        SinkType gl = TYPES.get("gl");
        assertThat(gl.targetKey()).isEqualTo("mode");
        assertThat(gl.targetRequired()).isFalse();
        assertThat(gl.key("width").rule()).isEqualTo("a whole number from 0 to 16384");
    }

    /** A bundle with a FrameSink component and its metatype, as bnd would make it for a third party. */
    static Path thirdPartyBundle(Path dir) throws IOException {
        Path jar = dir.resolve("acme-sink-vnc.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("OSGI-INF/com.acme.VncSink.xml"));
            out.write("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="com.acme.VncSink"
                        configuration-policy="require" configuration-pid="com.acme.sink.vnc">
                      <service><provide interface="io.github.scanout.api.sink.FrameSink"/></service>
                      <implementation class="com.acme.VncSink"/>
                    </scr:component>
                    """.getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("OSGI-INF/metatype/com.acme.VncConfig.xml"));
            out.write("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
                      <OCD id="com.acme.VncConfig" name="VNC">
                        <AD id="device" type="String"/>
                        <AD id="port" type="Integer" min="0" max="65535" required="false" default="5900"/>
                        <AD id="view.only" type="Boolean" required="false" default="true"/>
                      </OCD>
                      <Designate factoryPid="com.acme.sink.vnc"><Object ocdref="com.acme.VncConfig"/></Designate>
                    </metatype:MetaData>
                    """.getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    @Test
    void aThirdPartySinkTypeInDeployIsCheckedUpFrontWithoutTouchingTheLauncher(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("bundles/gl"));
        Files.copy(locate("scanout-plugin-sink-file"), home.resolve("bundles/scanout-plugin-sink-file.jar"));
        Files.createDirectories(home.resolve("deploy"));
        thirdPartyBundle(home.resolve("deploy"));
        Files.writeString(home.resolve("deploy/not-a-zip.jar"), "hello");
        Map<String, SinkType> types = SinkType.installed(Distribution.at(home, Map.of("SCANOUT_CACHE", home + "/c")));
        assertThat(types).containsOnlyKeys("file", "vnc");
        assertThat(types.get("vnc").targetKey()).isEqualTo("port");
        CommandLine cl = CommandLine.parse(types, "run", "--device", "sim:mbochs", "--sink", "vnc:5901?viewOnly=false");
        assertThat(cl.sinks().get(0).properties()).containsExactly(Map.entry("port", "5901"),
                Map.entry("view.only", "false"));
        assertThat(cl.warnings()).containsExactly("--sink 'vnc:5901?viewOnly=false': key 'viewOnly' is deprecated; it is"
                + " read as 'view.only' (rename it)");
        assertThatThrownBy(() -> CommandLine.parse(types, "run", "--device", "sim:mbochs", "--sink", "vnc:70000"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--sink 'vnc:70000': port = '70000' is refused: expected a whole number from 0 to 65535");
        assertThatThrownBy(() -> CommandLine.parse(types, "run", "--device", "sim:mbochs", "--sink", "gl:window"))
                .hasMessage("--sink 'gl:window': unknown sink type 'gl' (installed: file, vnc)");
    }

    static Path locate(String artifact) throws IOException {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String n = p.getFileName() == null ? "" : p.getFileName().toString();
            if (n.startsWith(artifact + "-") && n.endsWith(".jar")) {
                return p;
            }
            // a reactor build may hand the module's classes directory instead of its jar
            if (n.equals("classes") && p.getParent() != null && p.getParent().getParent() != null
                    && Files.isDirectory(p.resolve("OSGI-INF/metatype"))
                    && p.getParent().getParent().getFileName().toString().equals(artifact.replace("scanout-", ""))) {
                Path j = p.getParent().resolve(artifact + "-0.1.0-SNAPSHOT.jar");
                if (Files.isRegularFile(j)) {
                    return j;
                }
            }
        }
        throw new IOException(artifact + " is not on the test class path");
    }
}
