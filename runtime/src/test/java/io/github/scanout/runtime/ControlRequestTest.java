package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlRequestTest {

    private static ControlRequest parse(String line) throws ControlRequest.ProtocolException {
        return ControlRequest.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRequestWithSpacesAndUtf8RoundTrips() throws Exception {
        ControlRequest r = new ControlRequest(true, "attach", List.of("file", "sim:mbochs", "path=/tmp/a b/é&x=%"));
        String line = new String(r.encode(), StandardCharsets.US_ASCII);
        assertThat(line).isEqualTo("scanout-ctl/1 json attach file sim:mbochs path=/tmp/a%20b/%C3%A9%26x=%25\n");
        assertThat(ControlRequest.parse(r.encode())).isEqualTo(r);
    }

    @Test
    void theVerbAndArgumentsAreDecoded() throws Exception {
        ControlRequest r = parse("scanout-ctl/1 text detach file%2d1\n");
        assertThat(r.json()).isFalse();
        assertThat(r.verb()).isEqualTo("detach");
        assertThat(r.args()).containsExactly("file-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "\n", "scanout-ctl/2 text status", "scanout-ctl/1 xml status", "scanout-ctl/1 text",
        "scanout-ctl/1  text status", "scanout-ctl/1 text status ", "scanout-ctl/1 text st\tatus",
        "scanout-ctl/1 text status %4", "scanout-ctl/1 text status %zz", "scanout-ctl/1 text status %0a",
        "scanout-ctl/1 text status %ff", "scanout-ctl/1 text status\n\n", "scanout-ctl/1 text sta\"tus"})
    void malformedRequestsAreOneLineErrors(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(ControlRequest.ProtocolException.class)
                .hasMessageNotContaining("\n");
    }

    @Test
    void oversizedRequestsAreRefused() {
        byte[] big = ("scanout-ctl/1 text status " + "a".repeat(ControlRequest.MAX_BYTES)).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ControlRequest.parse(big)).hasMessageContaining("longer than");
        String many = "scanout-ctl/1 text status" + " a".repeat(ControlRequest.MAX_TOKENS);
        assertThatThrownBy(() -> parse(many)).hasMessageContaining("tokens");
    }
}
