package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Fuzzes the console's form parser ({@link FormBody#parse}), the code that reads the bodies of
 * the attach and detach POSTs.
 *
 * <p>Contract: fields or {@link FormBody.BadForm} with a one-line message; at most
 * {@link FormBody#MAX_FIELDS} fields; no name with a control character; nothing else escapes.
 */
class FormBodyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(FuzzedDataProvider data) {
        byte[] body = data.consumeRemainingAsBytes();
        FormBody form;
        try {
            form = FormBody.parse(body);
        } catch (FormBody.BadForm e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
            assertThat(e.getMessage().length()).isLessThan(200);
            return;
        }
        assertThat(body.length).isLessThanOrEqualTo(FormBody.MAX_BYTES);
        assertThat(form.fields()).hasSizeLessThanOrEqualTo(FormBody.MAX_FIELDS);
        for (Map.Entry<String, String> f : form.fields()) {
            assertThat(f.getKey().chars()).noneMatch(Character::isISOControl);
            assertThat(f.getValue().chars()).noneMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\r' && c != '\n');
        }
    }
}
