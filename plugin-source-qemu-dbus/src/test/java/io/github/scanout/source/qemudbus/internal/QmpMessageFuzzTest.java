package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.source.qemudbus.internal.QmpMessage.QmpProtocolException;

/**
 * Fuzzes {@link QmpMessage#parse}, the parser of every line QEMU's QMP socket sends.
 *
 * <p>Input: the line's bytes as they come from the socket (without the line end).
 *
 * <p>Contract: a message of one kind whose fields are those of its kind (a greeting's version
 * is {@code major.minor.micro}; an error's class and description are set and shown on one line,
 * at most 300 characters; an event has a name), or a {@link QmpProtocolException} with a
 * non-empty one-line message. Nothing else escapes.
 */
class QmpMessageFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        QmpMessage m;
        try {
            m = QmpMessage.parse(data, data.length);
        } catch (QmpProtocolException e) {
            assertThat(e.getMessage()).isNotEmpty().doesNotContain("\n").doesNotContain("\r");
            return;
        }
        switch (m.kind()) {
            case GREETING -> assertThat(m.version()).matches("\\d+\\.\\d+\\.\\d+");
            case RETURN -> assertThat(m.version()).isNull();
            case ERROR -> {
                assertThat(m.errorClass()).isNotNull();
                assertThat(m.errorDesc()).hasSizeLessThanOrEqualTo(300);
                assertThat(m.errorDesc().chars()).noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
            }
            case EVENT -> assertThat(m.event()).isNotNull();
        }
    }
}
