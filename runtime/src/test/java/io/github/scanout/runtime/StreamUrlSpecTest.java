package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.SinkBundles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documented way to give the stream sink a URL that has its own {@code ?} and {@code &}
 * (docs/video-sink.md): {@code stream:?url=...} with each inner {@code &} written {@code %26}.
 * The keys are the stream sink's as its metatype declares them (url first, not required).
 */
class StreamUrlSpecTest {
    static final Map<String, SinkType> TYPES = Map.of("stream", SinkType.of(new SinkBundles.Offer("stream", "io.github.scanout.sink.stream", List.of(
            new ConfigKey("device", ConfigKey.Type.STRING, null, null, List.of(), "", false, ""),
            new ConfigKey("url", ConfigKey.Type.STRING, null, null, List.of(), "", false, ""),
            new ConfigKey("bitrate", ConfigKey.Type.INTEGER, null, null, List.of(), "4000", false, "")))));

    @Test
    void aUrlWithItsOwnQueryGoesIntoTheUrlKey() throws Exception {
        SinkSpec s = SinkSpec.parse("stream:?url=srt://media:9000?streamid=publish:desk%26latency=200&bitrate=2000", TYPES);
        assertThat(s.properties()).containsEntry("url", "srt://media:9000?streamid=publish:desk&latency=200")
                .containsEntry("bitrate", "2000");
        assertThat(SinkSpec.parse("stream:rtsp://127.0.0.1:8554/vm1", TYPES).properties())
                .containsEntry("url", "rtsp://127.0.0.1:8554/vm1");
    }

    @Test
    void aQueryInTheTargetIsReadAsTheSinksOwnKeys() {
        assertThatThrownBy(() -> SinkSpec.parse("stream:srt://media:9000?streamid=x", TYPES))
                .hasMessageContaining("unknown key 'streamid'");
        assertThatThrownBy(() -> SinkSpec.parse("stream:rtsp://h/x?url=rtsp://h/y", TYPES))
                .hasMessageContaining("'url' is given twice");
    }
}
