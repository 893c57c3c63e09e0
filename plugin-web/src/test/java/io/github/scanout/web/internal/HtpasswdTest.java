package io.github.scanout.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users file as Debian's {@code htpasswd} writes it, and what it refuses, line by line. */
class HtpasswdTest {
    @TempDir
    Path dir;

    @Test
    void theRightPasswordOfAUserOfHtpasswdBIsAcceptedAndNothingElse() throws Exception {
        Path file = Tools.htpasswd(dir.resolve("users"), "alice", "sec ret:1", "carol", "\u00e9t\u00e9");
        Htpasswd users = Htpasswd.read(file, "htpasswd.file");
        assertThat(users.names()).containsExactly("alice", "carol");
        assertThat(users.verify("alice", "sec ret:1")).isTrue();
        assertThat(users.verify("carol", "\u00e9t\u00e9")).isTrue();
        assertThat(users.verify("alice", "sec ret:2")).isFalse();
        assertThat(users.verify("alice", "")).isFalse();
        assertThat(users.verify("carol", "sec ret:1")).isFalse();
        assertThat(users.verify("mallory", "sec ret:1")).isFalse();
        assertThat(users.verify("alice", "x".repeat(100))).isFalse();
    }

    @Test
    void commentsBlankLinesAndCrlfAreTaken() throws Exception {
        Path file = Tools.htpasswd(dir.resolve("users"), "alice", "pw");
        String line = Files.readString(file).strip();
        Htpasswd users = Htpasswd.parse(("# operators\r\n\r\n" + line + "\r\n").getBytes(StandardCharsets.UTF_8), "f");
        assertThat(users.verify("alice", "pw")).isTrue();
    }

    @Test
    void badLinesAreRefusedInOneLineNamingTheLineAndNeverQuotingAHash() throws Exception {
        Path file = Tools.htpasswd(dir.resolve("users"), "alice", "pw");
        String alice = Files.readString(file).strip();
        String hash = alice.substring(alice.indexOf(':') + 1);
        Tools.run("htpasswd", "-m", "-b", file.toString(), "bob", "pw");
        assertThatThrownBy(() -> Htpasswd.read(file, "htpasswd.file")).isInstanceOf(Htpasswd.BadFile.class)
                .hasMessage("htpasswd.file=" + file + " line 2: user bob has an MD5 ($apr1$) hash; only bcrypt hashes"
                        + " are accepted: make the line with htpasswd -B");
        assertThat(message("#\n" + alice + "\nalice")).isEqualTo("f line 3: no ':' between the user name and the hash;"
                + " expected NAME:HASH as htpasswd -B writes it");
        assertThat(message(alice + "\n" + alice)).isEqualTo("f line 2: user alice is listed twice");
        assertThat(message(":" + hash)).isEqualTo("f line 1: the user name before ':' is empty");
        assertThat(message("a b:" + hash)).isEqualTo("f line 1: the user name holds white space, a control character or"
                + " bytes that are not UTF-8");
        assertThat(message("eve:plain")).isEqualTo("f line 1: user eve has a crypt() hash or a plain-text password; only"
                + " bcrypt hashes are accepted: make the line with htpasswd -B");
        assertThat(message("eve:" + hash.substring(0, 40))).contains("user eve has a malformed bcrypt hash")
                .doesNotContain(hash.substring(0, 40));
        assertThat(message("eve:{SHA}abc")).contains("a SHA-1 ({SHA}) hash");
        assertThat(message("eve:")).contains("no hash after ':'");
        assertThat(message("# nobody\n\n")).isEqualTo("f lists no user; add one with htpasswd -B FILE NAME");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Htpasswd.read(missing, "htpasswd.file"))
                .hasMessageStartingWith("htpasswd.file=" + missing + " cannot be read (NoSuchFileException");
    }

    private static String message(String text) {
        try {
            Htpasswd.parse(text.getBytes(StandardCharsets.UTF_8), "f");
        } catch (Htpasswd.BadFile e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + text);
    }
}
