package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    static final List<ConfigKey> KEYS = List.of(
            ConfigKey.text("path", null, "where").asRequired(),
            ConfigKey.integer("keep", 0, Integer.MAX_VALUE, 0, "files kept"),
            new ConfigKey("max.fps", ConfigKey.Type.DOUBLE, java.math.BigDecimal.ZERO, java.math.BigDecimal.valueOf(1000),
                    List.of("auto"), "auto", false, "rate"),
            ConfigKey.bool("only.when.changed", true, "skip"),
            ConfigKey.choice("format", "png", "what", "png", "raw", "y4m"));

    static ConfigReader read(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return new ConfigReader("configuration x~1 (file:/c/x-1.cfg)", KEYS, m);
    }

    @Test
    void aBadNumberIsOneLineNamingTheSourceKeyValueAndRule() {
        ConfigReader r = read("path", "/o", "keep", "abc");
        assertThat(r.errors()).containsExactly("configuration x~1 (file:/c/x-1.cfg): keep = 'abc' is refused: expected"
                + " a whole number from 0 to 2147483647");
        assertThatThrownBy(r::check).isInstanceOf(ConfigException.class).hasMessage(r.errors().get(0));
    }

    @Test
    void numbersMustFitTheField() {
        assertThat(read("path", "/o", "keep", "2147483648").errors()).hasSize(1);
        assertThat(read("path", "/o", "keep", "99999999999999999999").errors()).hasSize(1);
        assertThat(read("path", "/o", "keep", 5L).integer("keep")).isEqualTo(5);
        assertThat(read("path", "/o", "keep", "2147483647").integer("keep")).isEqualTo(Integer.MAX_VALUE);
        assertThat(read("path", "/o", "keep", "1.5").errors()).hasSize(1);
        assertThat(read("path", "/o", "max.fps", "NaN").errors()).hasSize(1);
        assertThat(read("path", "/o", "max.fps", "Infinity").errors()).hasSize(1);
        assertThat(read("path", "/o", "max.fps", 2.5d).number("max.fps")).isEqualTo(2.5);
        // typed NaN and infinities (a Double or Float in a configuration) are refused the same way
        // (file-sink-config fuzzing found a NumberFormatException escaping instead)
        assertThat(read("path", "/o", "max.fps", Double.NaN).errors()).containsExactly("configuration x~1"
                + " (file:/c/x-1.cfg): max.fps = 'NaN' is refused: expected a number from 0 to 1000 or auto");
        assertThat(read("path", "/o", "max.fps", Float.POSITIVE_INFINITY).errors()).hasSize(1);
        assertThat(read("path", "/o", "keep", Double.NEGATIVE_INFINITY).errors()).hasSize(1);
        assertThat(read("path", "/o", "keep", Float.NaN).errors()).hasSize(1);
        assertThat(read("path", "/o", "max.fps", "AUTO").is("max.fps", "auto")).isTrue();
        assertThat(read("path", "/o").is("max.fps", "auto")).isTrue();
    }

    @Test
    void caseVariantsAndUnknownKeysAreOneWarningListingTheKnownKeys() {
        ConfigReader r = read("path", "/o", "maxFPS", "5", "KEEP", "3", "formt", "raw", "service.pid", "x~1",
                "felix.fileinstall.filename", "f", "component.id", 3L, "sinks.target", "(a=b)");
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).containsExactly("configuration x~1 (file:/c/x-1.cfg): unknown keys 'KEEP' (keys are"
                + " case-sensitive: did you mean keep?), 'formt', 'maxFPS' (keys are case-sensitive: did you mean"
                + " max.fps?) are ignored; the keys are path, keep, max.fps, only.when.changed, format");
        assertThat(r.integer("keep")).isZero();
    }

    @Test
    void theOldSpellingIsReadWithOneDeprecationWarning() {
        ConfigReader r = read("path", "/o", "maxFps", "5", "onlyWhenChanged", "false");
        assertThat(r.errors()).isEmpty();
        assertThat(r.number("max.fps")).isEqualTo(5);
        assertThat(r.bool("only.when.changed")).isFalse();
        assertThat(r.warnings()).containsExactly(
                "configuration x~1 (file:/c/x-1.cfg): key 'maxFps' is deprecated; it is read as 'max.fps' (rename it)",
                "configuration x~1 (file:/c/x-1.cfg): key 'onlyWhenChanged' is deprecated; it is read as"
                        + " 'only.when.changed' (rename it)");
        ConfigReader both = read("path", "/o", "maxFps", "5", "max.fps", "7");
        assertThat(both.number("max.fps")).isEqualTo(7);
        assertThat(both.warnings()).singleElement().asString().contains("'maxFps' is ignored");
    }

    @Test
    void aMissingRequiredKeyAndChoicesAndBooleans() {
        assertThat(read().errors()).containsExactly("configuration x~1 (file:/c/x-1.cfg): path is missing; expected a"
                + " value that is not blank (where)");
        assertThat(read("path", "/o", "format", "gif").errors()).containsExactly("configuration x~1 (file:/c/x-1.cfg):"
                + " format = 'gif' is refused: expected one of png, raw, y4m");
        assertThat(read("path", "/o", "only.when.changed", "yes").errors()).singleElement().asString()
                .endsWith("only.when.changed = 'yes' is refused: expected true or false");
        assertThat(read("path", "/o", "keep", new String[] {"1", "2"}).errors()).singleElement().asString()
                .contains("expected one value");
    }

    @Test
    void refuseAddsACrossKeyProblemInTheSameFormat() {
        ConfigReader r = read("path", "/o", "keep", "3", "format", "raw");
        r.refuse("keep", "0 for format raw");
        assertThat(r.errors()).containsExactly("configuration x~1 (file:/c/x-1.cfg): keep = '3' is refused: 0 for format raw");
    }

    @Test
    void keysComeFromMetatypeWithTheTypesRange() throws Exception {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
                  <OCD id="ocd.X" name="x">
                    <AD id="device" type="String"/>
                    <AD id="keep" type="Integer" required="false" min="0" default="0"/>
                    <AD id="width" type="Long" required="false" default="0"/>
                    <AD id="mode" type="String" required="false" default="a"><Option value="a" label="A"/><Option value="b" label="B"/></AD>
                  </OCD>
                  <Designate factoryPid="x.sink"><Object ocdref="ocd.X"/></Designate>
                </metatype:MetaData>
                """;
        ConfigKey.Metatype m = ConfigKey.readMetatype(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(m.factories()).containsExactly("x.sink");
        List<ConfigKey> keys = m.keysOf("x.sink");
        assertThat(keys).extracting(ConfigKey::name).containsExactly("device", "keep", "width", "mode");
        assertThat(keys.get(0).required()).isTrue();
        assertThat(keys.get(1).rule()).isEqualTo("a whole number from 0 to 2147483647");
        assertThat(keys.get(2).rule()).isEqualTo("a whole number from -9223372036854775808 to 9223372036854775807");
        assertThat(keys.get(3).check("B")).isNull();
        assertThat(keys.get(3).check("c")).isEqualTo("one of a, b");
    }

    @Test
    void aMetatypeFileWithADoctypeIsRefused() {
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
        assertThatThrownBy(() -> ConfigKey.readMetatype(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void oldSpellingIsTheCamelCaseOfTheDottedKey() {
        assertThat(ConfigKey.text("only.when.changed", "", "").oldSpelling()).isEqualTo("onlyWhenChanged");
        assertThat(ConfigKey.text("keep", "", "").oldSpelling()).isEqualTo("keep");
    }
}
