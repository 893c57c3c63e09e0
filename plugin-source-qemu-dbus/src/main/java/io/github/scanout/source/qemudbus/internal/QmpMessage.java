package io.github.scanout.source.qemudbus.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * One message from QEMU's QMP socket, parsed from one line of JSON: the greeting
 * ({@code {"QMP": {"version": {"qemu": {...}}}}}), a reply ({@code return} or {@code error}
 * with its {@code class} and {@code desc}), or an asynchronous {@code event}. Everything else
 * in the object is skipped. The bytes come from another process: hostile until checked; bad
 * ones give a {@link QmpProtocolException} with a one-line message, nothing else.
 *
 * <p>Parsed with jackson-core's streaming parser (a well-kept library; no data binding), with
 * its nesting and string-length limits lowered to what QMP's replies need.
 *
 * @param kind what the message is
 * @param version the QEMU version of a greeting ({@code major.minor.micro}), else null
 * @param errorClass the {@code class} of an error reply, else null
 * @param errorDesc the {@code desc} of an error reply, else null
 * @param event the name of an event, else null
 */
record QmpMessage(Kind kind, String version, String errorClass, String errorDesc, String event) {

    /** What a QMP message is. */
    enum Kind { GREETING, RETURN, ERROR, EVENT }

    /** The longest line read from QMP; QEMU's replies to the commands used here are far shorter. */
    static final int MAX_LINE = 64 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(64).maxStringLength(MAX_LINE).maxNumberLength(64).build())
        .build();

    /** A QMP message that is not what the protocol says; the message is one line. */
    static final class QmpProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        QmpProtocolException(String message) {
            super(message);
        }
    }

    /**
     * Parses one line (without its line end) from the QMP socket.
     *
     * @throws QmpProtocolException if it is not one JSON object holding exactly one of
     *     {@code QMP}, {@code return}, {@code error}, {@code event}, or their parts are malformed
     */
    static QmpMessage parse(byte[] line, int length) throws QmpProtocolException {
        if (length > MAX_LINE) {
            throw new QmpProtocolException("QMP message longer than " + MAX_LINE + " bytes");
        }
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new QmpProtocolException("QMP message is not a JSON object");
            }
            QmpMessage found = null;
            String foundKey = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                QmpMessage m = switch (key) {
                    case "QMP" -> new QmpMessage(Kind.GREETING, greetingVersion(p, value), null, null, null);
                    case "return" -> {
                        p.skipChildren();
                        yield new QmpMessage(Kind.RETURN, null, null, null, null);
                    }
                    case "error" -> error(p, value);
                    case "event" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new QmpProtocolException("QMP event name is not a string");
                        }
                        yield new QmpMessage(Kind.EVENT, null, null, null, p.getText());
                    }
                    default -> {
                        p.skipChildren();
                        yield null;
                    }
                };
                if (m != null) {
                    if (found != null) {
                        throw new QmpProtocolException("QMP message holds both '" + foundKey + "' and '" + key + "'");
                    }
                    found = m;
                    foundKey = key;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new QmpProtocolException("QMP message is not one JSON object");
            }
            if (found == null) {
                throw new QmpProtocolException("QMP message is neither a greeting, a reply nor an event");
            }
            return found;
        } catch (QmpProtocolException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // jackson's parse errors (and its constraint violations) carry a multi-line location
            throw new QmpProtocolException("QMP message is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String greetingVersion(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new QmpProtocolException("QMP greeting is not an object");
        }
        String version = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (key.equals("version") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    JsonToken q = p.nextToken();
                    if (k.equals("qemu") && q == JsonToken.START_OBJECT) {
                        version = qemuVersion(p);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (version == null) {
            throw new QmpProtocolException("QMP greeting names no QEMU version");
        }
        return version;
    }

    private static String qemuVersion(JsonParser p) throws IOException {
        long major = -1, minor = -1, micro = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 0) {
                switch (k) {
                    case "major" -> major = p.getIntValue();
                    case "minor" -> minor = p.getIntValue();
                    case "micro" -> micro = p.getIntValue();
                    default -> { }
                }
            } else {
                p.skipChildren();
            }
        }
        if (major < 0 || minor < 0 || micro < 0) {
            throw new QmpProtocolException("QMP greeting's QEMU version lacks major, minor or micro");
        }
        return major + "." + minor + "." + micro;
    }

    private static QmpMessage error(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new QmpProtocolException("QMP error is not an object");
        }
        String cls = null, desc = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_STRING && k.equals("class")) {
                cls = oneLine(p.getText());
            } else if (v == JsonToken.VALUE_STRING && k.equals("desc")) {
                desc = oneLine(p.getText());
            } else {
                p.skipChildren();
            }
        }
        if (desc == null) {
            throw new QmpProtocolException("QMP error has no 'desc'");
        }
        return new QmpMessage(Kind.ERROR, null, cls == null ? "GenericError" : cls, desc, null);
    }

    /** Text from QEMU shown on one line: control characters become spaces, at most 300 characters. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
        for (int i = 0; i < s.length() && b.length() < 300; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return oneLine(nl < 0 ? s : s.substring(0, nl));
    }
}
