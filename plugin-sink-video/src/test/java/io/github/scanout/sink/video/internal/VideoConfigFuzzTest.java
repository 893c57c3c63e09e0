package io.github.scanout.sink.video.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.support.ConfigException;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.testsupport.FuzzBytes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes what the video and stream sinks read from the operator: the {@code path} and {@code url}
 * texts ({@link Target}) and whole configurations ({@link VideoOptions#read}), and the
 * descriptions built from them ({@link Descriptions}).
 *
 * <p>Input: a byte choosing the video or the stream sink, then up to 12 entries, each a key (one
 * of the declared keys, or any text) and a text value.
 *
 * <p>Contract: options, or a {@link ConfigException} whose message names the configuration. A
 * built description never holds the path or URL (they are set as element properties, never
 * parsed as pipeline text), and {@link Target#shown()} never shows a URL's password.
 */
class VideoConfigFuzzTest {

    static final String[] KEYS = {"path", "url", "codec", "encoder", "bitrate", "quality", "fps", "keyframe.interval",
        "speed.preset", "tune", "cursor", "queue", "segment.seconds", "segments", "pipeline", "device", "rotate.bytes",
        "rotate.seconds", "keep"};

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        boolean stream = in.bool();
        Map<String, Object> config = new LinkedHashMap<>();
        int n = in.u8() % 13;
        for (int i = 0; i < n; i++) {
            int k = in.u8();
            String key = k < KEYS.length * 16 ? KEYS[k % KEYS.length] : in.string();
            config.put(key, in.string());
        }
        config.remove("pipeline"); // parsed by GStreamer itself, checked when the configuration arrives
        VideoOptions o;
        try {
            ConfigReader r = ConfigReader.forSink("configuration fuzz", stream ? StreamSinkComponent.KEYS
                    : VideoSinkComponent.KEYS, config);
            o = VideoOptions.read(r, stream);
        } catch (IllegalArgumentException e) {
            assertThat(e).isInstanceOf(ConfigException.class);
            assertThat(e.getMessage()).startsWith("configuration fuzz");
            return;
        }
        assertThat(o.fps()).isBetween(1, 120);
        assertThat(o.keyframeInterval()).isBetween(1, 10000);
        String description = Descriptions.of(o, o.encoderElement("x264enc"), 640, 480);
        Target t = o.target();
        assertThat(t).isNotNull();
        assertThat(description).doesNotContain(t.location());
        assertThat(Descriptions.sinkProperties(o)).isNotEmpty();
        String shown = t.shown();
        if (t.kind().network()) {
            int scheme = t.location().indexOf("://") + 3;
            int at = t.location().indexOf('@', scheme);
            int slash = t.location().indexOf('/', scheme);
            if (at > 0 && (slash < 0 || at < slash)) {
                String user = t.location().substring(scheme, at);
                if (user.indexOf(':') >= 0 && user.indexOf(':') < user.length() - 1) {
                    assertThat(shown).contains(":***@");
                }
            }
        }
    }
}
