package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration: defaults per format, and a clear refusal for every value that cannot work. */
class FileSinkOptionsTest {

    static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("path", "/srv/shots");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsDependOnTheFormat() {
        FileSinkOptions png = FileSinkOptions.parse(config());
        assertThat(png.format()).isEqualTo(OutputFormat.PNG);
        assertThat(png.maxFps()).isEqualTo(1.0);
        assertThat(png.cursor()).isTrue();
        assertThat(png.onlyWhenChanged()).isTrue();
        assertThat(png.keep()).isZero();
        assertThat(png.atomic()).isTrue();
        assertThat(png.fsync()).isFalse();
        assertThat(png.namePattern()).hasToString("{device}-{seq:08d}-{time}.png");
        assertThat(png.path()).isEqualTo(Path.of("/srv/shots"));

        FileSinkOptions y4m = FileSinkOptions.parse(config("format", "y4m", "path", "/srv/rec.y4m"));
        assertThat(y4m.maxFps()).isZero();
        assertThat(y4m.cursor()).isFalse();
        assertThat(y4m.chroma()).isEqualTo(Y4mChroma.C420);
        FileSinkOptions raw = FileSinkOptions.parse(config("format", "RAW", "max.fps", "auto", "cursor", "auto"));
        assertThat(raw.maxFps()).isZero();
        assertThat(raw.cursor()).isFalse();
    }

    @Test
    void typedAndStringValuesAreBothAccepted() {
        FileSinkOptions o = FileSinkOptions.parse(config("max.fps", 2.5, "keep", 10, "only.when.changed", "false",
                "cursor", false, "device", "sim:mbochs", "y4m.chroma", "444", "fsync", true, "atomic", "TRUE"));
        assertThat(o.maxFps()).isEqualTo(2.5);
        assertThat(o.keep()).isEqualTo(10);
        assertThat(o.onlyWhenChanged()).isFalse();
        assertThat(o.cursor()).isFalse();
        assertThat(o.device()).isEqualTo("sim:mbochs");
        assertThat(o.chroma()).isEqualTo(Y4mChroma.C444);
        assertThat(o.fsync()).isTrue();
        assertThat(o.atomic()).isTrue();
        assertThat(FileSinkOptions.parse(config("max.fps", "12")).maxFps()).isEqualTo(12.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "format | gif | file sink configuration: format = 'gif' is refused: expected one of png, raw, y4m",
        "max.fps | fast | max.fps = 'fast' is refused: expected a number from 0 to 1000 or auto",
        "max.fps | -1 | max.fps = '-1' is refused: expected a number from 0 to 1000 or auto",
        "max.fps | NaN | max.fps = 'NaN' is refused",
        "max.fps | 5000 | max.fps = '5000' is refused",
        "keep | -3 | keep = '-3' is refused: expected a whole number from 0 to 2147483647",
        "keep | 2147483648 | keep = '2147483648' is refused: expected a whole number from 0 to 2147483647",
        "keep | many | keep = 'many' is refused",
        "only.when.changed | yes | only.when.changed = 'yes' is refused: expected true or false",
        "cursor | maybe | cursor = 'maybe' is refused: expected one of auto, true, false",
        "y4m.chroma | 422 | y4m.chroma = '422' is refused: expected one of 420, 444",
        "name.pattern | {device}/{seq}.png | name.pattern = '{device}/{seq}.png' is refused: expected a file name pattern: name pattern '{device}/{seq}.png' contains '/'",
        "name.pattern | {frame}.png | unknown placeholder {frame} in name pattern '{frame}.png'; known: {device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}",
        "name.pattern | {time:08d}.png | placeholder {time} in name pattern '{time:08d}.png' takes no width",
        "name.pattern | .. | name pattern '..' names a directory",
        "name.pattern | .x.png.tmp | looks like the sink's own temporary files",
        "path | '' | file sink configuration: path = '' is refused: expected a value that is not blank",
    })
    void badValuesAreRefusedNamingTheKeyTheValueAndWhatIsAccepted(String key, String value, String message) {
        Map<String, Object> c = config(key, value);
        assertThatThrownBy(() -> FileSinkOptions.parse(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void optionsThatMakeNoSenseForTheFormatAreRefused() {
        assertThatThrownBy(() -> FileSinkOptions.parse(config("format", "raw", "cursor", "true")))
                .hasMessage("file sink configuration: cursor = 'true' is refused: expected false or auto for format raw: "
                        + "a raw stream holds the plane's bytes as they are; the cursor can be composited into png and y4m");
        assertThatThrownBy(() -> FileSinkOptions.parse(config("format", "png", "rotate.bytes", 5)))
                .hasMessageContaining("rotate.bytes = '5' is refused: expected 0 for format png: rotation applies to raw "
                        + "and y4m streams");
        assertThat(FileSinkOptions.parse(config("format", "y4m", "path", "a.y4m", "keep", 5, "rotate.seconds", 60))
                .rotation()).isEqualTo(new io.github.scanout.api.support.StreamRotation.Policy(0, 60_000_000_000L, 5));
        assertThatThrownBy(() -> FileSinkOptions.parse(Map.of("format", "png")))
                .hasMessage("file sink configuration: path is missing; expected a value that is not blank (Directory for"
                        + " png snapshots; file for raw and y4m streams (an existing file is never overwritten:"
                        + " NAME-2.EXT, NAME-3.EXT... are used). The directory must exist.)");
    }

    @Test
    void devicesAreMadeSafeForFileNames() {
        assertThat(NamePattern.sanitize("sim:mbochs?mode=800x600&type=small")).isEqualTo("sim_mbochs_mode_800x600_type_small");
        assertThat(NamePattern.sanitize("../../etc/passwd")).isEqualTo("_._.._etc_passwd");
        assertThat(NamePattern.sanitize(".hidden")).isEqualTo("_hidden");
        assertThat(NamePattern.sanitize("")).isEqualTo("device");
        assertThat(NamePattern.sanitize("4b6f1c6e-2b7d-4d2a-9a4e-2f3e1d0c9b8a")).isEqualTo("4b6f1c6e-2b7d-4d2a-9a4e-2f3e1d0c9b8a");
    }

    @Test
    void patternsFormatEveryPlaceholderAndMatchWhatTheyWrite() {
        NamePattern p = NamePattern.parse("{device}_{seq}_{seq:05d}_{n:03d}_{n}_{time}.png");
        String name = p.format("sim:gvt", 42, 7, 1_700_000_000_123L);
        assertThat(name).isEqualTo("sim_gvt_42_00042_007_7_20231114-221320.123.png");
        assertThat(p.matcherFor("sim:gvt").matcher(name).matches()).isTrue();
        assertThat(p.matcherFor("sim:mdpy").matcher(name).matches()).isFalse();
        assertThat(NamePattern.parse("latest.png").format("x", 1, 1, 0)).isEqualTo("latest.png");
    }
}
