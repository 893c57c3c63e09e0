package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code bom/pom.xml} does not inherit the parent (an imported BOM would hand third parties the
 * parent's whole dependencyManagement), so the versions it repeats are checked here against the
 * parent's: its own version, every property it shares with the parent, and every Scanout module
 * the distribution ships.
 */
class BomConsistencyTest {

    private static Document parent;
    private static Document bom;
    private static Path root;

    @BeforeAll
    static void read() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bom/pom.xml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("no bom/pom.xml above " + Path.of("").toAbsolutePath()).isNotNull();
        root = dir;
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        parent = f.newDocumentBuilder().parse(root.resolve("pom.xml").toFile());
        bom = f.newDocumentBuilder().parse(root.resolve("bom/pom.xml").toFile());
    }

    @Test
    void theBomHasTheParentsVersion() {
        assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(child(parent.getDocumentElement(), "version"));
        assertThat(child(bom.getDocumentElement(), "groupId")).isEqualTo(child(parent.getDocumentElement(), "groupId"));
    }

    @Test
    void everyVersionPropertyOfTheBomIsTheParentsValue() {
        Map<String, String> bomProps = properties(bom);
        Map<String, String> parentProps = properties(parent);
        assertThat(bomProps).as("bom properties").isNotEmpty();
        for (Map.Entry<String, String> e : bomProps.entrySet()) {
            assertThat(parentProps).as("the parent's properties").containsEntry(e.getKey(), e.getValue());
        }
    }

    @Test
    void theBomListsEveryScanoutBundleTheDistributionShips() throws IOException {
        String assembly = Files.readString(root.resolve("runtime/src/main/assembly/distribution.xml"));
        Set<String> shipped = new TreeSet<>();
        Matcher m = Pattern.compile("<include>io\\.github\\.scanout:([\\w-]+)</include>").matcher(assembly);
        while (m.find()) {
            shipped.add(m.group(1));
        }
        assertThat(shipped).as("Scanout artifacts in the distribution").contains("scanout-api", "scanout-core");
        Set<String> managed = new TreeSet<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if ("io.github.scanout".equals(child(d, "groupId"))) {
                managed.add(child(d, "artifactId"));
            }
        }
        assertThat(managed).containsAll(shipped);
    }

    private static Map<String, String> properties(Document pom) {
        Map<String, String> out = new LinkedHashMap<>();
        NodeList props = pom.getDocumentElement().getElementsByTagName("properties");
        for (int i = 0; i < props.getLength(); i++) {
            if (props.item(i).getParentNode() != pom.getDocumentElement()) {
                continue; // a profile's properties
            }
            NodeList kids = props.item(i).getChildNodes();
            for (int k = 0; k < kids.getLength(); k++) {
                if (kids.item(k).getNodeType() == Node.ELEMENT_NODE) {
                    out.put(kids.item(k).getNodeName(), kids.item(k).getTextContent().trim());
                }
            }
        }
        return out;
    }

    private static String child(Element e, String name) {
        NodeList kids = e.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i).getNodeType() == Node.ELEMENT_NODE && kids.item(i).getNodeName().equals(name)) {
                return kids.item(i).getTextContent().trim();
            }
        }
        return null;
    }
}
