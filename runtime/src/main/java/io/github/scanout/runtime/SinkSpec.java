package io.github.scanout.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code --sink TYPE:TARGET[?k=v&...]}: the sink type and the configuration properties it
 * becomes (without {@code device}, which comes from {@code --device}). Values may use
 * {@code %XX} escapes (for {@code &} or {@code =} inside a value).
 *
 * <p>Immutable; any thread.
 *
 * @param text the argument as given, for messages
 * @param type the sink type
 * @param properties the configuration properties, in the order given (TARGET's key first)
 */
record SinkSpec(String text, SinkType type, Map<String, String> properties) {

    SinkSpec {
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * Parses and checks one {@code --sink} argument.
     *
     * @throws UsageException naming the argument, the part that is wrong and what is accepted
     */
    static SinkSpec parse(String text) throws UsageException {
        String where = "--sink '" + text + "'";
        int colon = text.indexOf(':');
        int query = text.indexOf('?');
        String typeName = (colon < 0 ? (query < 0 ? text : text.substring(0, query)) : text.substring(0, colon))
                .trim().toLowerCase(Locale.ROOT);
        if (colon >= 0 && query >= 0 && query < colon) {
            typeName = text.substring(0, query).trim().toLowerCase(Locale.ROOT);
            colon = -1;
        }
        if (typeName.isEmpty()) {
            throw new UsageException(where + ": expected TYPE:TARGET[?key=value&...], for example file:out/?format=png");
        }
        SinkType type = SinkType.ALL.get(typeName);
        if (type == null) {
            throw new UsageException(where + ": unknown sink type '" + typeName + "' (known: " + SinkType.knownNames()
                    + ")");
        }
        String target = colon < 0 ? "" : (query < 0 ? text.substring(colon + 1) : text.substring(colon + 1, query));
        Map<String, String> props = new LinkedHashMap<>();
        if (!target.isEmpty()) {
            props.put(type.targetKey(), target);
        } else if (type.targetRequired()) {
            throw new UsageException(where + ": the " + type.name() + " sink needs a TARGET (its " + type.targetKey()
                    + "), for example " + type.name() + ":out/");
        }
        if (query >= 0) {
            String q = text.substring(query + 1);
            if (q.isEmpty()) {
                throw new UsageException(where + ": nothing after '?': expected key=value pairs joined by '&'");
            }
            for (String pair : q.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException(where + ": '" + pair + "' is not key=value");
                }
                String key = pair.substring(0, eq).trim();
                String value = decode(where, pair.substring(eq + 1));
                if (key.equals(SinkType.DEVICE)) {
                    throw new UsageException(where + ": 'device' is set from --device, not in a sink");
                }
                SinkType.Value check = type.keys().get(key);
                if (check == null) {
                    throw new UsageException(where + ": unknown key '" + key + "' for a " + type.name() + " sink (known: "
                            + String.join(", ", type.keys().keySet()) + ")");
                }
                if (props.containsKey(key)) {
                    throw new UsageException(where + ": '" + key + "' is given twice"
                            + (key.equals(type.targetKey()) ? " (TARGET sets it)" : ""));
                }
                String accepted = check.check(value);
                if (accepted != null) {
                    throw new UsageException(where + ": " + key + "=" + value + " is not accepted; expected " + accepted);
                }
                props.put(key, value);
            }
        }
        String targetValue = props.get(type.targetKey());
        if (targetValue != null) {
            String accepted = type.keys().get(type.targetKey()).check(targetValue);
            if (accepted != null) {
                throw new UsageException(where + ": TARGET '" + targetValue + "' is not accepted; expected " + accepted);
            }
        }
        return new SinkSpec(text, type, props);
    }

    private static String decode(String where, String s) throws UsageException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw new UsageException(where + ": '" + s + "' has a '%' that is not followed by two hex digits");
                }
                run.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(run.toString(StandardCharsets.UTF_8));
                run.reset();
                b.append(c);
            }
        }
        return b.append(run.toString(StandardCharsets.UTF_8)).toString();
    }

    /** The value of the sink's TARGET key, or empty text. */
    String target() {
        return properties.getOrDefault(type.targetKey(), "");
    }
}
