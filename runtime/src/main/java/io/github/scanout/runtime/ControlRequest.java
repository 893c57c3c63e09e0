package io.github.scanout.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request on the control socket ({@code scanout ctl}), protocol version 1:
 *
 * <pre>
 * scanout-ctl/1 FORMAT VERB [ARG ...]\n
 * </pre>
 *
 * one line of at most {@value #MAX_BYTES} bytes, tokens separated by single spaces, FORMAT
 * {@code text} or {@code json}, every token percent-encoded: bytes other than ASCII letters,
 * digits and {@code -._~:/=,@+} are written {@code %XX} (upper- or lower-case hex) and the
 * decoded bytes must be UTF-8 without control characters. The reply is one status line
 * {@code scanout-ctl/1 STATUS} (0 done, 1 failed, 2 bad request) and then the body (text, or one
 * JSON document) until the server closes the connection.
 *
 * <p>The parser is the only code that reads bytes from the socket's clients; it is fuzzed
 * ({@code ControlRequestFuzzTest}). It was written here because the grammar is one line of
 * tokens; a general-purpose library would add a dependency to the launcher's class path for
 * nothing.
 *
 * <p>Immutable; any thread.
 *
 * @param json whether the reply should be JSON
 * @param verb the command ({@code status}, {@code attach}...)
 * @param args its arguments, decoded
 */
record ControlRequest(boolean json, String verb, List<String> args) {
    static final String PROTOCOL = "scanout-ctl/1";
    static final int MAX_BYTES = 8192;
    static final int MAX_TOKENS = 64;

    ControlRequest {
        args = List.copyOf(args);
    }

    /** Thrown for a request that does not follow the protocol; the message is one line for the client. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * Parses one request line (without or with its final newline).
     *
     * @throws ProtocolException naming what is wrong
     */
    static ControlRequest parse(byte[] line) throws ProtocolException {
        int n = line.length;
        if (n > 0 && line[n - 1] == '\n') {
            n--;
        }
        if (n > MAX_BYTES) {
            throw new ProtocolException("request longer than " + MAX_BYTES + " bytes");
        }
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || line[i] == ' ') {
                if (i == start) {
                    throw new ProtocolException(i == n && n == 0 ? "empty request" : "empty token at byte " + i);
                }
                if (tokens.size() == MAX_TOKENS) {
                    throw new ProtocolException("more than " + MAX_TOKENS + " tokens");
                }
                tokens.add(decode(line, start, i));
                start = i + 1;
            }
        }
        if (!tokens.get(0).equals(PROTOCOL)) {
            throw new ProtocolException("expected '" + PROTOCOL + "' first; this server speaks " + PROTOCOL);
        }
        if (tokens.size() < 3) {
            throw new ProtocolException("expected " + PROTOCOL + " FORMAT VERB [ARG ...]");
        }
        String format = tokens.get(1);
        if (!format.equals("text") && !format.equals("json")) {
            throw new ProtocolException("format '" + format + "' is not text or json");
        }
        return new ControlRequest(format.equals("json"), tokens.get(2), tokens.subList(3, tokens.size()));
    }

    private static String decode(byte[] b, int from, int to) throws ProtocolException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (c == '%') {
                if (i + 2 >= to) {
                    throw new ProtocolException("'%' without two hex digits at byte " + i);
                }
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new ProtocolException("'%' without two hex digits at byte " + i);
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (plain(c)) {
                out.write(c);
            } else {
                throw new ProtocolException(String.format("byte 0x%02x at %d must be percent-encoded", c, i));
            }
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("token at byte " + from + " is not UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new ProtocolException("token at byte " + from + " holds a control character");
            }
        }
        return s;
    }

    private static boolean plain(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~:/=,@+".indexOf(c) >= 0;
    }

    /** This request as its line, newline included. */
    byte[] encode() {
        StringBuilder b = new StringBuilder(PROTOCOL).append(' ').append(json ? "json" : "text").append(' ')
                .append(encode(verb));
        for (String a : args) {
            b.append(' ').append(encode(a));
        }
        return b.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String encode(String token) {
        StringBuilder b = new StringBuilder();
        for (byte x : token.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (plain(c)) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
