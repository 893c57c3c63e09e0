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
        FileSinkOptions raw = FileSinkOptions.parse(config("format", "RAW", "maxFps", "auto", "cursor", "auto"));
        assertThat(raw.maxFps()).isZero();
        assertThat(raw.cursor()).isFalse();
    }

    @Test
    void typedAndStringValuesAreBothAccepted() {
        FileSinkOptions o = FileSinkOptions.parse(config("maxFps", 2.5, "keep", 10, "onlyWhenChanged", "false",
                "cursor", false, "device", "sim:mbochs", "y4m.chroma", "444", "fsync", true, "atomic", "TRUE"));
        assertThat(o.maxFps()).isEqualTo(2.5);
        assertThat(o.keep()).isEqualTo(10);
        assertThat(o.onlyWhenChanged()).isFalse();
        assertThat(o.cursor()).isFalse();
        assertThat(o.device()).isEqualTo("sim:mbochs");
        assertThat(o.chroma()).isEqualTo(Y4mChroma.C444);
        assertThat(o.fsync()).isTrue();
        assertThat(o.atomic()).isTrue();
        assertThat(FileSinkOptions.parse(config("maxFps", "12")).maxFps()).isEqualTo(12.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "format | gif | file sink configuration: format = 'gif' is not accepted; expected png, raw or y4m",
        "maxFps | fast | maxFps = 'fast' is not accepted; expected a number of frames per second from 0 (every frame) to 1000, or auto",
        "maxFps | -1 | maxFps = '-1.0' is not accepted; expected a number of frames per second from 0 (every frame) to 1000",
        "maxFps | NaN | maxFps = 'NaN' is not accepted",
        "maxFps | 5000 | maxFps = '5000.0' is not accepted",
        "keep | -3 | keep = '-3' is not accepted; expected 0 (keep every file) or a positive count of files to keep",
        "keep | many | keep = 'many' is not accepted",
        "onlyWhenChanged | yes | onlyWhenChanged = 'yes' is not accepted; expected true or false",
        "cursor | maybe | cursor = 'maybe' is not accepted; expected true or false",
        "y4m.chroma | 422 | y4m.chroma = '422' is not accepted; expected 420 or 444",
        "namePattern | {device}/{seq}.png | namePattern = '{device}/{seq}.png' is not accepted: name pattern '{device}/{seq}.png' contains '/'",
        "namePattern | {frame}.png | unknown placeholder {frame} in name pattern '{frame}.png'; known: {device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}",
        "namePattern | {time:08d}.png | placeholder {time} in name pattern '{time:08d}.png' takes no width",
        "namePattern | .. | name pattern '..' names a directory",
        "namePattern | .x.png.tmp | looks like the sink's own temporary files",
        "path | '' | path is required (a directory for png, a file for raw and y4m)",
    })
    void badValuesAreRefusedNamingTheKeyTheValueAndWhatIsAccepted(String key, String value, String message) {
        Map<String, Object> c = config(key, value);
        assertThatThrownBy(() -> FileSinkOptions.parse(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void optionsThatMakeNoSenseForTheFormatAreRefused() {
        assertThatThrownBy(() -> FileSinkOptions.parse(config("format", "raw", "cursor", "true")))
                .hasMessage("file sink configuration: cursor = 'true' is not accepted; expected false for format raw: "
                        + "a raw stream holds the plane's bytes as they are; the cursor can be composited into png and y4m");
        assertThatThrownBy(() -> FileSinkOptions.parse(config("format", "y4m", "keep", 5)))
                .hasMessageContaining("keep = '5' is not accepted; expected 0 for format y4m: retention applies to png "
                        + "snapshots only");
        assertThatThrownBy(() -> FileSinkOptions.parse(Map.of("format", "png")))
                .hasMessageContaining("path is required");
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
