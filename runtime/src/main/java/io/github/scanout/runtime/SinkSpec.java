package io.github.scanout.runtime;

import java.nio.charset.StandardCharsets;
import io.github.scanout.api.support.ConfigReader;
import java.util.Collections;
import java.util.List;
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
 * @param properties the configuration properties, in the order given (TARGET's key first), old
 *     spellings of keys replaced by the keys
 * @param warnings one line for each old spelling of a key, for the launcher to print
 */
record SinkSpec(String text, SinkType type, Map<String, String> properties, List<String> warnings) {

    SinkSpec {
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        warnings = List.copyOf(warnings);
    }

    /**
     * Parses and checks one {@code --sink} argument against the sink types installed: every
     * value is checked with the configuration toolkit against the keys and rules the sink type's
     * bundle declares, as the sink itself will check it. A key's old spelling is accepted with a
     * deprecation warning ({@link #warnings()}); an unknown key, including one that differs from
     * a known key only in case, is refused.
     *
     * @param types the installed sink types, by name ({@link SinkType#installed})
     * @throws UsageException naming the argument, the part that is wrong and what is accepted
     */
    static SinkSpec parse(String text, Map<String, SinkType> types) throws UsageException {
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
        SinkType type = types.get(typeName);
        if (type == null) {
            throw new UsageException(where + ": unknown sink type '" + typeName + "' (installed: "
                    + SinkType.knownNames(types) + ")");
        }
        String target = colon < 0 ? "" : (query < 0 ? text.substring(colon + 1) : text.substring(colon + 1, query));
        Map<String, String> props = new LinkedHashMap<>();
        List<String> warnings = new java.util.ArrayList<>();
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
                String given = key;
                if (type.key(key) == null) {
                    // an old spelling is read as its key, with one warning; the configuration gets the key
                    key = type.keys().stream().filter(k -> k.oldSpelling().equals(given)).map(k -> k.name())
                            .findFirst().orElseThrow(() -> new UsageException(where + ": unknown key '" + given
                                    + "' for a " + type.name() + " sink (known: " + String.join(", ", type.keyNames()
                                    .stream().filter(k -> !k.equals(SinkType.DEVICE)).toList()) + ")"));
                    warnings.add(where + ": key '" + given + "' is deprecated; it is read as '" + key + "' (rename it)");
                }
                if (props.containsKey(key)) {
                    throw new UsageException(where + ": '" + key + "' is given twice"
                            + (key.equals(type.targetKey()) ? " (TARGET sets it)" : ""));
                }
                props.put(key, value);
            }
        }
        // the sink's own rules, read as the sink reads them; device comes from --device
        Map<String, String> checked = new LinkedHashMap<>(props);
        checked.put(SinkType.DEVICE, "--device");
        ConfigReader reader = new ConfigReader(where, type.keys(), checked);
        if (!reader.errors().isEmpty()) {
            throw new UsageException(reader.errors().get(0));
        }
        // the rules between keys, from the sink's own code
        String refused = type.check().apply(where, checked);
        if (refused != null) {
            throw new UsageException(refused);
        }
        return new SinkSpec(text, type, props, warnings);
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
