package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.source.qemudbus.internal.QmpMessage.Kind;
import io.github.scanout.source.qemudbus.internal.QmpMessage.QmpProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QmpMessageTest {

    static QmpMessage parse(String s) throws QmpProtocolException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return QmpMessage.parse(b, b.length);
    }

    @Test
    void greetingOfQemu72NamesItsVersion() throws Exception {
        QmpMessage m = parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7},"
            + " \"package\": \"Debian 1:7.2+dfsg-7+deb12u18\"}, \"capabilities\": [\"oob\"]}}");
        assertThat(m.kind()).isEqualTo(Kind.GREETING);
        assertThat(m.version()).isEqualTo("7.2.22");
    }

    @Test
    void returnErrorAndEvent() throws Exception {
        assertThat(parse("{\"return\": {}}").kind()).isEqualTo(Kind.RETURN);
        assertThat(parse("{\"return\": [1, {\"a\": [true]}], \"id\": 3}").kind()).isEqualTo(Kind.RETURN);
        QmpMessage e = parse("{\"error\": {\"class\": \"GenericError\", \"desc\": \"No file descriptor supplied via SCM_RIGHTS\"}}");
        assertThat(e.kind()).isEqualTo(Kind.ERROR);
        assertThat(e.errorClass()).isEqualTo("GenericError");
        assertThat(e.errorDesc()).isEqualTo("No file descriptor supplied via SCM_RIGHTS");
        QmpMessage ev = parse("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}");
        assertThat(ev.kind()).isEqualTo(Kind.EVENT);
        assertThat(ev.event()).isEqualTo("STOP");
    }

    @Test
    void errorDescriptionIsShownOnOneLine() throws Exception {
        QmpMessage e = parse("{\"error\": {\"desc\": \"two\\nlines\\u2028here\"}}");
        assertThat(e.errorDesc()).isEqualTo("two lines here");
        assertThat(e.errorClass()).isEqualTo("GenericError");
    }

    @Test
    void malformedMessagesGiveOneLineReasons() {
        assertRejected("[1]", "QMP message is not a JSON object");
        assertRejected("{\"return\": {}} {}", "QMP message is not one JSON object");
        assertRejected("{\"id\": 1}", "QMP message is neither a greeting, a reply nor an event");
        assertRejected("{\"return\": {}, \"error\": {\"desc\": \"x\"}}", "QMP message holds both 'return' and 'error'");
        assertRejected("{\"error\": {\"class\": \"GenericError\"}}", "QMP error has no 'desc'");
        assertRejected("{\"error\": \"bad\"}", "QMP error is not an object");
        assertRejected("{\"event\": 5}", "QMP event name is not a string");
        assertRejected("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2}}}}",
            "QMP greeting's QEMU version lacks major, minor or micro");
        assertRejected("{\"QMP\": {\"capabilities\": []}}", "QMP greeting names no QEMU version");
        assertRejected("{\"return\": ", "QMP message is not valid JSON: ");
        assertRejected("{\"return\": " + "[".repeat(100) + "]".repeat(100) + "}", "QMP message is not valid JSON: ");
    }

    @Test
    void overlongMessageIsRejected() {
        byte[] b = new byte[QmpMessage.MAX_LINE + 1];
        assertThatThrownBy(() -> QmpMessage.parse(b, b.length))
            .isInstanceOf(QmpProtocolException.class)
            .hasMessage("QMP message longer than 65536 bytes");
    }

    private static void assertRejected(String json, String message) {
        assertThatThrownBy(() -> parse(json))
            .isInstanceOf(QmpProtocolException.class)
            .hasMessageStartingWith(message)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
