package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.support.ConfigKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the launcher offers plugin-web besides the devices and sinks: the sink types and their
 * keys (the same model as {@code scanout ctl keys --json}, one implementation) and the actions'
 * guard against verbs that are not attach or detach.
 */
class ControlCommandsModelTest {
    private final SinkType file = new SinkType("file", "io.github.scanout.sink.file", "path", true, List.of(
            ConfigKey.text("device", "", "The device"), ConfigKey.text("path", null, "The directory"),
            ConfigKey.choice("format", "png", "What to write", "png", "raw", "y4m"),
            ConfigKey.integer("keep", 0, Integer.MAX_VALUE, 0, "Keep N")), null);
    private final ControlCommands commands = new ControlCommands(null, null, Map.of(), Map.of("file", file));

    @Test
    void theKeysModelIsCtlKeysJson() {
        Map<String, Object> keys = commands.readModel("keys file");
        assertThat(keys).doesNotContainKey("error");
        assertThat(keys.get("json")).isEqualTo(commands.handle(new ControlRequest(true, "keys", List.of("file"))).body());
        assertThat(keys.get("json")).asString().contains("\"type\":\"file\"", "\"target\":\"path\"", "\"name\":\"keep\"",
                "\"options\":[\"png\",\"raw\",\"y4m\"]");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) ((Map<String, Object>) keys.get("model")).get("keys");
        assertThat(list).extracting(k -> k.get("name")).containsExactly("device", "path", "format", "keep");
        assertThat(list.get(2)).containsEntry("default", "png").containsEntry("type", "string");
        // by factory PID too, as ctl keys takes it
        assertThat(commands.readModel("keys io.github.scanout.sink.file").get("json")).isEqualTo(keys.get("json"));

        Map<String, Object> types = commands.readModel("keys");
        assertThat(types.get("json")).isEqualTo(commands.handle(new ControlRequest(true, "keys", List.of())).body());
        assertThat(types.get("json")).asString().contains("\"types\":[{\"type\":\"file\",\"pid\":\"io.github.scanout.sink.file\"}]");
    }

    @Test
    void anUnknownTypeOrVerbIsAnErrorLine() {
        assertThat(commands.readModel("keys rdp")).containsOnlyKeys("error")
                .containsEntry("error", "no sink type rdp (known: file)");
        assertThat(commands.readModel("attach")).containsEntry("error",
                "'attach' is not a read-only model; expected devices, sinks, keys, keys TYPE");
    }

    @Test
    void theActionsRunOnlyAttachAndDetach() {
        assertThat(commands.act(List.of("status"))).containsEntry("status", 2)
                .containsEntry("message", "'status' is not an action; expected attach, detach");
        assertThat(commands.act(List.of())).containsEntry("status", 2);
        // the socket's own checks and messages
        assertThat(commands.act(List.of("attach", "file"))).containsEntry("status", 2).containsEntry("message",
                "usage: attach TYPE DEVICE [key=value ...], for example attach file sim:mbochs path=/var/lib/scanout/shots");
        assertThat(commands.act(List.of("attach", "rdp", "desk"))).containsEntry("status", 2)
                .containsEntry("message", "no sink type rdp (known: file)");
        assertThat(commands.act(List.of("detach"))).containsEntry("status", 2).containsEntry("message",
                "usage: detach NAME (the sink's name, as scanout ctl sinks lists it)");
    }
}
