package io.github.scanout.web.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A form's body as browsers send it ({@code application/x-www-form-urlencoded}): {@code
 * name=value} pairs joined by {@code &}, {@code +} a space, {@code %XX} a byte, the decoded bytes
 * UTF-8. At most {@value #MAX_BYTES} bytes and {@value #MAX_FIELDS} fields; names and values
 * without control characters other than tab, CR and LF in values (a textarea's lines).
 *
 * <p>Written here rather than taken from the servlet container's {@code getParameter}: that
 * parser, like {@link java.net.URLDecoder}, is lenient in ways a security check should not be (it
 * takes malformed UTF-8 as replacement characters and bad escapes as text, and mixes the query's
 * parameters in), and its limits are the container's, not the console's. Fuzzed by {@code FormBodyFuzzTest}.
 *
 * <p>Immutable; any thread.
 *
 * @param fields the fields in the order sent
 */
record FormBody(List<Map.Entry<String, String>> fields) {
    static final int MAX_BYTES = 16 * 1024;
    static final int MAX_FIELDS = 256;

    FormBody {
        fields = List.copyOf(fields);
    }

    /** A body that is not a form; the message is one line for the client. */
    static final class BadForm extends Exception {
        private static final long serialVersionUID = 1L;

        BadForm(String message) {
            super(message);
        }
    }

    /**
     * Parses a body.
     *
     * @throws BadForm naming what is wrong (too long, a bad escape, not UTF-8, a control character)
     */
    static FormBody parse(byte[] body) throws BadForm {
        if (body.length > MAX_BYTES) {
            throw new BadForm("the form is longer than " + MAX_BYTES + " bytes");
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    if (out.size() == MAX_FIELDS) {
                        throw new BadForm("the form has more than " + MAX_FIELDS + " fields");
                    }
                    int eq = start;
                    while (eq < i && body[eq] != '=') {
                        eq++;
                    }
                    String name = decode(body, start, eq, false);
                    String value = eq < i ? decode(body, eq + 1, i, true) : "";
                    out.add(Map.entry(name, value));
                }
                start = i + 1;
            }
        }
        return new FormBody(out);
    }

    /** The first value of a field; empty when absent. */
    String first(String name) {
        for (Map.Entry<String, String> e : fields) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return "";
    }

    /** How many times a field is given. */
    int count(String name) {
        return (int) fields.stream().filter(e -> e.getKey().equals(name)).count();
    }

    private static String decode(byte[] b, int from, int to, boolean value) throws BadForm {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                out[n++] = ' ';
            } else if (c == '%') {
                int hi = i + 2 < to ? Character.digit(b[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(b[i + 2], 16) : -1;
                if (lo < 0) {
                    throw new BadForm("a '%' at byte " + i + " of the form is not followed by two hex digits");
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = c;
            }
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw new BadForm("the form's field at byte " + from + " is not UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lineBreak = value && (c == '\t' || c == '\r' || c == '\n');
            if ((Character.isISOControl(c) && !lineBreak) || c == 0x2028 || c == 0x2029) {
                throw new BadForm("the form's field at byte " + from + " has a control character");
            }
        }
        return s;
    }
}
