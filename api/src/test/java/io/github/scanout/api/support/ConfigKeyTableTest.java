package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The listing of keys that {@code scanout:keys} and {@code scanout ctl keys} print. */
class ConfigKeyTableTest {

    @Test
    void eachKeySaysWhatItAcceptsItsDefaultAndWhatItDoes() {
        List<ConfigKey> keys = List.of(
                ConfigKey.integer("keep", 0, 100, 4, "how many files to keep"),
                ConfigKey.choice("format", "png", "what to write", "png", "y4m", "raw"),
                ConfigKey.text("path", null, "where to write").asRequired(),
                ConfigKey.bool("fsync", false, ""));
        assertThat(keys.get(0).summary()).isEqualTo("a whole number from 0 to 100; default 4");
        assertThat(keys.get(1).summary()).isEqualTo("one of png, y4m, raw; default png");
        assertThat(keys.get(2).summary()).isEqualTo("text; required");
        assertThat(ConfigKey.text("device", "", "").summary()).isEqualTo("text; default empty");
        assertThat(ConfigKey.table(keys)).isEqualTo("""
                keep    a whole number from 0 to 100; default 4
                        how many files to keep
                format  one of png, y4m, raw; default png
                        what to write
                path    text; required
                        where to write
                fsync   true or false; default false
                """);
    }
}
