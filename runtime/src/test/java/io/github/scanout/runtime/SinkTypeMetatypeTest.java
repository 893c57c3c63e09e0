package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The launcher's tables of sink keys are the sinks' own metatype: the bundles on the test class
 * path (the ones the distribution ships) are read, so a key added, renamed or removed in a sink
 * fails here instead of being refused (or let through) by {@code --sink}.
 */
class SinkTypeMetatypeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"file, scanout-plugin-sink-file", "gl, scanout-plugin-sink-gl", "vnc, scanout-plugin-sink-vnc"})
    void theKeysAreTheMetatypeAttributes(String type, String artifact) throws Exception {
        SinkType t = SinkType.ALL.get(type);
        Map<String, List<String>> ocd = metatype(artifact, t.pid());
        List<String> expected = new ArrayList<>(ocd.keySet());
        expected.remove(SinkType.DEVICE); // set from --device
        expected.add(SinkType.SINK_NAME); // every sink: the pipeline's name for it
        assertThat(t.keys().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ocd).containsKey(t.targetKey());
        for (Map.Entry<String, List<String>> e : ocd.entrySet()) {
            for (String option : e.getValue()) {
                assertThat(t.keys().get(e.getKey()).check(option)).as(e.getKey() + "=" + option).isNull();
            }
        }
    }

    /** AD id -> option values, of the OCD designated for the factory PID. */
    static Map<String, List<String>> metatype(String artifact, String factoryPid) throws Exception {
        Path jar = locate(artifact);
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(jf.entries())) {
                if (!e.getName().startsWith("OSGI-INF/metatype/") || !e.getName().endsWith(".xml")) {
                    continue;
                }
                try (InputStream in = jf.getInputStream(e)) {
                    var factory = DocumentBuilderFactory.newInstance();
                    factory.setNamespaceAware(true);
                    var doc = factory.newDocumentBuilder().parse(in);
                    NodeList designates = doc.getElementsByTagName("Designate");
                    boolean ours = false;
                    for (int i = 0; i < designates.getLength(); i++) {
                        ours |= factoryPid.equals(((Element) designates.item(i)).getAttribute("factoryPid"));
                    }
                    if (!ours) {
                        continue;
                    }
                    NodeList ads = doc.getElementsByTagName("AD");
                    for (int i = 0; i < ads.getLength(); i++) {
                        Element ad = (Element) ads.item(i);
                        List<String> options = new ArrayList<>();
                        NodeList os = ad.getElementsByTagName("Option");
                        for (int j = 0; j < os.getLength(); j++) {
                            options.add(((Element) os.item(j)).getAttribute("value"));
                        }
                        out.put(ad.getAttribute("id"), options);
                    }
                }
            }
        }
        assertThat(out).as("metatype of " + factoryPid + " in " + jar).isNotEmpty();
        return out;
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
