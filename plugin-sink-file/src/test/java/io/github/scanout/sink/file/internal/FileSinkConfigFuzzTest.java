package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.testsupport.FuzzBytes;
import io.github.scanout.api.support.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes the file sink's configuration: {@link FileSinkOptions#parse} of ConfigAdmin values
 * (operator text from {@code conf/*.cfg}, typed values from {@code *.config} files, the
 * {@code --sink file:...?key=value} options), and the file names its {@link NamePattern} makes
 * from a device name the operator chose.
 *
 * <p>Input: up to 12 entries, each a key (one of the documented keys, or any text) and a value
 * (text, an Integer, a Long, a Double or a Boolean); then a device name, a sequence number, a
 * counter and a time for one file name.
 *
 * <p>Contract: options inside every documented range, or an {@link IllegalArgumentException}
 * whose message names the file sink configuration and the key. A file name is never empty,
 * {@code .} or {@code ..}, never holds {@code /}, {@code \} or NUL (it cannot leave the
 * directory), and the pattern's own matcher (retention) recognises it. Nothing else escapes.
 */
class FileSinkConfigFuzzTest {

    static final String[] KEYS = {"path", "format", "device", "max.fps", "only.when.changed", "keep", "cursor",
        "y4m.chroma", "name.pattern", "atomic", "fsync"};

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        Map<String, Object> config = new LinkedHashMap<>();
        int n = in.u8() % 13;
        for (int i = 0; i < n; i++) {
            int k = in.u8();
            String key = k < KEYS.length * 20 ? KEYS[k % KEYS.length] : in.string();
            Object value = switch (in.u8() % 8) {
                case 0 -> in.u32();
                case 1 -> in.u64();
                case 2 -> Double.longBitsToDouble(in.u64());
                case 3 -> in.bool();
                default -> in.string();
            };
            config.put(key, value);
        }
        String device = in.string();
        long sequence = in.u64() & Long.MAX_VALUE; // frame sequence numbers and counters are never negative
        long counter = in.u64() & Long.MAX_VALUE;
        long time = in.u64() % 253_402_300_800_000L; // up to the year 9999

        FileSinkOptions o;
        try {
            o = FileSinkOptions.parse(config);
        } catch (IllegalArgumentException e) {
            assertThat(e).isInstanceOf(ConfigException.class);
            assertThat(e.getMessage()).startsWith("file sink configuration: ");
            return;
        }
        assertThat(o.path().toString()).isNotBlank();
        assertThat(o.maxFps() >= 0 && o.maxFps() <= FileSinkOptions.MAX_FPS).as("maxFps %s", o.maxFps()).isTrue(); // -0.0 too
        assertThat(o.keep()).isNotNegative(); // streams too: the rotated files a stream keeps
        String name = o.namePattern().format(device, sequence, counter, Math.abs(time));
        assertThat(name).as("file name from %s", o.namePattern()).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..")
                .doesNotContain("/").doesNotContain("\\").doesNotContain("\0");
        assertThat(o.namePattern().matcherFor(device).matcher(name).matches())
                .as("retention recognises %s from pattern %s", name, o.namePattern()).isTrue();
    }
}
