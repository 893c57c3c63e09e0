package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the borrow helper's request parser, {@link BorrowRequest#parse}, which reads bytes from
 * other users' processes, and the client's reply parser, {@link BorrowRequest#parseReply}.
 *
 * <p>Input: the bytes a client (or a helper) sent.
 *
 * <p>Contract: a request is accepted only as {@code borrow SPEC\n} with SPEC one of the spec forms
 * (and then it names no option, no path and nothing but printable ASCII); anything else is a
 * {@link DeviceException} with a one-line message. A reply is an error line, or {@code ok PID
 * UUID} with two fds; nothing else escapes.
 */
class BorrowRequestFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        try {
            BorrowRequest r = BorrowRequest.parse(data);
            assertThat(r.spec()).matches("(vm|libvirt):[A-Za-z0-9_.+:@/-]+");
            assertThat(r.spec()).doesNotContain("?").doesNotContain("..").doesNotContain(" ");
            assertThat(data.length).isLessThanOrEqualTo(BorrowRequest.MAX_REQUEST);
        } catch (DeviceException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
        try {
            BorrowRequest.Reply reply = BorrowRequest.parseReply(data, 2);
            if (reply.error() == null) {
                assertThat(reply.pid()).isPositive();
                assertThat(reply.uuid()).hasSize(36);
            }
        } catch (DeviceException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        byte[] err = BorrowRequest.error(new String(data, StandardCharsets.UTF_8), false);
        assertThat(err.length).isLessThanOrEqualTo(BorrowRequest.MAX_REPLY);
        assertThat(new String(err, 0, err.length - 1, StandardCharsets.US_ASCII)).doesNotContain("\n");
    }
}
