package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the users file's parser ({@link Htpasswd#parse}) and the check of a login against it
 * ({@link Access#basic}, {@link Htpasswd#verify}).
 *
 * <p>Contract: users or {@link Htpasswd.BadFile} with a one-line message; no user name that is
 * empty or holds white space or a control character; a password check answers true or false;
 * nothing else escapes.
 */
class HtpasswdFuzzTest {
    /** A line of {@code htpasswd -nbB -C 4 u pw}: cost 4, the least, so that a verify stays cheap. */
    private static final String LINE = "u:$2y$04$g8k092M7nmZRFeQo8v8EBOkOXElbAkEdcJUrYzoQhm.gP6DE9UFo2";

    @FuzzTest(maxDuration = "30s")
    void parse(FuzzedDataProvider data) {
        boolean withUser = data.consumeBoolean();
        String header = data.consumeString(200);
        byte[] bytes = data.consumeRemainingAsBytes();
        Htpasswd users;
        try {
            users = Htpasswd.parse(withUser ? (LINE + "\n" + new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8) : bytes, "f");
        } catch (Htpasswd.BadFile e) {
            assertThat(e.getMessage()).startsWith("f ").doesNotContain("\n").doesNotContain("\r");
            return;
        }
        for (String name : users.names()) {
            assertThat(name).isNotEmpty();
            assertThat(name.chars()).noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c));
        }
        String[] basic = Access.basic(header);
        if (basic != null) {
            assertThat(basic[0]).isNotEmpty().doesNotContain(":");
            boolean ok = users.verify(basic[0], basic[1]);
            assertThat(ok).isEqualTo(withUser && basic[0].equals("u") && basic[1].equals("pw") ? true : ok);
        }
    }
}
