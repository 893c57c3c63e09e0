package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The forms' body parser, with bodies as browsers write them. */
class FormBodyTest {

    private static FormBody parse(String s) throws FormBody.BadForm {
        return FormBody.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsFieldsInOrderWithPlusAndPercentDecoded() throws Exception {
        FormBody f = parse("csrf=abc_-&k.path=%2Ftmp%2Fa+b&empty=&flag&k.name=%C3%A9t%C3%A9&&csrf=2");
        assertThat(f.fields()).containsExactly(Map.entry("csrf", "abc_-"), Map.entry("k.path", "/tmp/a b"),
                Map.entry("empty", ""), Map.entry("flag", ""), Map.entry("k.name", "été"), Map.entry("csrf", "2"));
        assertThat(f.first("csrf")).isEqualTo("abc_-");
        assertThat(f.count("csrf")).isEqualTo(2);
        assertThat(f.first("none")).isEmpty();
        assertThat(parse("").fields()).isEmpty();
        assertThat(parse("a=x%0D%0Ay%09z").first("a")).isEqualTo("x\r\ny\tz");
    }

    @Test
    void refusesWhatIsNotAForm() {
        assertThatThrownBy(() -> parse("a=%4")).hasMessage("a '%' at byte 2 of the form is not followed by two hex digits");
        assertThatThrownBy(() -> parse("a=%zz")).isInstanceOf(FormBody.BadForm.class);
        assertThatThrownBy(() -> parse("a=%C3%28")).hasMessage("the form's field at byte 2 is not UTF-8");
        assertThatThrownBy(() -> parse("a%00=1")).hasMessage("the form's field at byte 0 has a control character");
        assertThatThrownBy(() -> parse("a=%1B")).hasMessage("the form's field at byte 2 has a control character");
        assertThatThrownBy(() -> FormBody.parse(new byte[FormBody.MAX_BYTES + 1]))
                .hasMessage("the form is longer than 16384 bytes");
        assertThatThrownBy(() -> parse(String.join("&", java.util.Collections.nCopies(FormBody.MAX_FIELDS + 1, "a=1"))))
                .hasMessage("the form has more than 256 fields");
    }

    @Test
    void theCapIsInclusive() throws Exception {
        String body = "a=" + "x".repeat(FormBody.MAX_BYTES - 2);
        assertThat(parse(body).first("a")).hasSize(FormBody.MAX_BYTES - 2);
        assertThat(List.of(parse("x=" + "y".repeat(10)).first("x"))).containsExactly("yyyyyyyyyy");
    }
}
