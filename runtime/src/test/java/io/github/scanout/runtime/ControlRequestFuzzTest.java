package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the control socket's request parser ({@link ControlRequest#parse}), the only code that
 * reads what a client of the socket sends.
 *
 * <p>Input: the request bytes as a client would send them.
 *
 * <p>Contract: a {@link ControlRequest.ProtocolException} with one line of text, or a request
 * whose verb and arguments hold no control character and which encodes back to a line that
 * parses to the same request. Nothing else escapes.
 */
class ControlRequestFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        ControlRequest r;
        try {
            r = ControlRequest.parse(data);
        } catch (ControlRequest.ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(r.verb()).isNotEmpty();
        assertThat(r.verb().chars()).noneMatch(Character::isISOControl);
        for (String a : r.args()) {
            assertThat(a).isNotEmpty();
            assertThat(a.chars()).noneMatch(Character::isISOControl);
        }
        try {
            assertThat(ControlRequest.parse(r.encode())).isEqualTo(r);
        } catch (ControlRequest.ProtocolException e) {
            throw new AssertionError("the encoding of a parsed request does not parse: " + e.getMessage(), e);
        }
    }
}
