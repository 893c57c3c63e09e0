package io.github.scanout.api.support;

import io.github.scanout.api.sink.FrameSink;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one configuration against its {@link ConfigKey}s: every value is read as text and
 * checked by its key's rule, and every problem becomes one line in one format that names where
 * the configuration came from, the key, the value and the rule:
 * <pre>
 * configuration io.github.scanout.sink.file~snap (file:/opt/scanout/conf/...cfg): keep = 'abc' is refused: expected a whole number from 0 to 2147483647
 * --sink 'file:out?keep=abc': keep = 'abc' is refused: expected a whole number from 0 to 2147483647
 * </pre>
 * Components, the launcher and the shell read with this class, so that they accept and refuse
 * the same values with the same words.
 *
 * <p>What it does with the keys it is given, besides checking values:
 * <ul>
 *   <li>the framework's own keys ({@code service.*}, {@code component.*}, {@code osgi.*},
 *       {@code felix.fileinstall.*}) and reference targets ({@code *.target}) are passed over;</li>
 *   <li>a key's old spelling ({@link ConfigKey#oldSpelling()}: {@code maxFps} for
 *       {@code max.fps}) is read as the key, with one deprecation warning each;</li>
 *   <li>every other key, including one that differs from a known key only in case
 *       ({@code maxFPS}, {@code KEEP}), is ignored with one warning that lists them and the
 *       known keys.</li>
 * </ul>
 * Errors and warnings are collected, not thrown: {@link #check()} throws the errors as one
 * {@link ConfigException}; {@link #warnings()} are for the caller to log.
 *
 * <p>Not thread-safe; build one per configuration read.
 */
public final class ConfigReader {

    private final String source;
    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /**
     * Reads and checks a configuration.
     *
     * @param source where it came from, for messages: {@link #source(Map, String)} for a
     *     ConfigAdmin configuration, {@code --sink '...'} for the command line
     * @param keys the keys it may have
     * @param properties the configuration (Strings, Numbers, Booleans)
     */
    public ConfigReader(String source, Collection<ConfigKey> keys, Map<String, ?> properties) {
        this.source = source;
        for (ConfigKey k : keys) {
            this.keys.put(k.name(), k);
        }
        Map<String, ConfigKey> byOldSpelling = new LinkedHashMap<>();
        for (ConfigKey k : keys) {
            if (!k.oldSpelling().equals(k.name()) && !this.keys.containsKey(k.oldSpelling())) {
                byOldSpelling.put(k.oldSpelling(), k);
            }
        }
        List<String> unknown = new ArrayList<>();
        // sorted: messages do not depend on the map's order
        for (Map.Entry<String, ?> e : new TreeMap<String, Object>(properties).entrySet()) {
            String key = e.getKey();
            ConfigKey k = this.keys.get(key);
            if (k == null && byOldSpelling.containsKey(key)) {
                k = byOldSpelling.get(key);
                if (properties.containsKey(k.name())) {
                    warnings.add(source + ": key '" + key + "' is ignored: it is the old spelling of '" + k.name()
                            + "', which is given too");
                    continue;
                }
                warnings.add(source + ": key '" + key + "' is deprecated; it is read as '" + k.name()
                        + "' (rename it)");
            }
            if (k == null) {
                if (!isFrameworks(key)) {
                    unknown.add(key);
                }
                continue;
            }
            String text = text(e.getValue());
            if (text == null) {
                errors.add(source + ": " + k.name() + " = " + describe(e.getValue()) + " is refused: expected one value, "
                        + k.rule());
                continue;
            }
            String rule = k.check(text);
            if (rule != null) {
                errors.add(refusal(k.name(), text, rule));
                continue;
            }
            values.put(k.name(), text.trim());
        }
        for (ConfigKey k : keys) {
            if (k.required() && k.defaultValue() == null && !values.containsKey(k.name())
                    && errors.stream().noneMatch(m -> m.startsWith(source + ": " + k.name() + " = "))) {
                errors.add(source + ": " + k.name() + " is missing; expected " + k.rule()
                        + (k.description().isEmpty() ? "" : " (" + k.description() + ")"));
            }
        }
        if (!unknown.isEmpty()) {
            warnings.add(unknownKeysMessage(unknown));
        }
    }

    /**
     * {@link #ConfigReader} for a sink's configuration: {@value FrameSink#DEVICE_PROPERTY} and
     * {@value FrameSink#NAME_PROPERTY}, which every sink configuration may have, are added to
     * {@code keys} where they are not declared.
     *
     * @param source where it came from, for messages
     * @param keys the sink type's own keys
     * @param properties the configuration
     * @return the reader, with the configuration read
     */
    public static ConfigReader forSink(String source, Collection<ConfigKey> keys, Map<String, ?> properties) {
        return new ConfigReader(source, sinkKeys(keys), properties);
    }

    /**
     * The keys of a sink configuration.
     *
     * @param keys the sink type's own keys
     * @return {@code keys} plus {@value FrameSink#DEVICE_PROPERTY} and
     *     {@value FrameSink#NAME_PROPERTY} where missing
     */
    public static List<ConfigKey> sinkKeys(Collection<ConfigKey> keys) {
        List<ConfigKey> all = new ArrayList<>(keys);
        if (all.stream().noneMatch(k -> k.name().equals(FrameSink.DEVICE_PROPERTY))) {
            all.add(ConfigKey.text(FrameSink.DEVICE_PROPERTY, "", "the device this sink is for"));
        }
        if (all.stream().noneMatch(k -> k.name().equals(FrameSink.NAME_PROPERTY))) {
            all.add(ConfigKey.text(FrameSink.NAME_PROPERTY, null, "the sink's name in stats and logs"));
        }
        return all;
    }

    /**
     * Where a ConfigAdmin configuration came from, for messages:
     * {@code configuration PID (FILE)}, where FILE is the file FileInstall read it from.
     *
     * @param properties the configuration's properties
     * @param fallbackPid the PID to name when the properties carry none
     * @return the source, for {@link #ConfigReader}
     */
    public static String source(Map<String, ?> properties, String fallbackPid) {
        Object pid = properties.get("service.pid");
        Object file = properties.get("felix.fileinstall.filename");
        return "configuration " + (pid == null ? fallbackPid : pid) + (file == null ? "" : " (" + file + ")");
    }

    /**
     * Whether a key belongs to the framework (or is a reference target), not to the component.
     *
     * @param key a configuration key
     * @return true for {@code service.*}, {@code component.*}, {@code osgi.*},
     *     {@code felix.fileinstall.*} and {@code *.target}
     */
    public static boolean isFrameworks(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.fileinstall.")
                || key.startsWith("osgi.") || key.endsWith(".target");
    }

    private String unknownKeysMessage(List<String> unknown) {
        List<String> named = new ArrayList<>();
        for (String u : unknown) {
            String hint = null;
            for (ConfigKey k : keys.values()) {
                if (k.name().equalsIgnoreCase(u) || k.oldSpelling().equalsIgnoreCase(u)) {
                    hint = k.name();
                }
            }
            named.add("'" + u + "'" + (hint == null ? "" : " (keys are case-sensitive: did you mean " + hint + "?)"));
        }
        return source + ": unknown key" + (unknown.size() == 1 ? " " + named.get(0) + " is" : "s " + String.join(", ", named)
                + " are") + " ignored; the keys are " + String.join(", ", keys.keySet());
    }

    private String refusal(String key, String value, String rule) {
        return source + ": " + key + " = '" + value + "' is refused: expected " + rule;
    }

    private static String text(Object value) {
        if (value == null || value.getClass().isArray() && Array.getLength(value) != 1) {
            return null;
        }
        if (value.getClass().isArray()) {
            return text(Array.get(value, 0));
        }
        if (value instanceof Collection<?> c) {
            return c.size() == 1 ? text(c.iterator().next()) : null;
        }
        // NaN and the infinities stay words ("NaN", "Infinity"), which every number rule refuses
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? d.toString() : BigDecimal.valueOf(d).toPlainString();
        }
        if (value instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? f.toString() : new BigDecimal(Float.toString(f)).toPlainString();
        }
        return value.toString();
    }

    private static String describe(Object value) {
        if (value != null && value.getClass().isArray()) {
            return "an array of " + Array.getLength(value);
        }
        return value instanceof Collection<?> c ? "a list of " + c.size() : "'" + value + "'";
    }

    // ---- results -------------------------------------------------------------------------------

    /** {@return the problems found, one line each, in key order; empty when every value is accepted} */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** {@return unknown keys (one line for all) and old spellings (one line each); for the caller to log} */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * Adds a problem that a single key's rule cannot see (two keys that exclude each other), in
     * the same format.
     *
     * @param key the key refused, with its value when given
     * @param why what is wrong, for the message
     */
    public void refuse(String key, String why) {
        String value = values.get(key);
        errors.add(source + ": " + key + (value == null ? "" : " = '" + value + "'") + " is refused: " + why);
    }

    /**
     * Fails when any value was refused.
     *
     * @throws ConfigException with the first error (and how many more there are), when there is any
     */
    public void check() {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /** {@return where the configuration came from, as given} */
    public String source() {
        return source;
    }

    // ---- values --------------------------------------------------------------------------------

    /**
     * Whether the configuration gives the key (in either spelling) with an accepted value.
     *
     * @param key a declared key
     * @return true when given and accepted
     * @throws IllegalArgumentException when the key is not declared
     */
    public boolean given(String key) {
        declared(key);
        return values.containsKey(key);
    }

    /**
     * The value as text.
     *
     * @param key a declared key
     * @return the value (trimmed), else the default; null when there is neither
     * @throws IllegalArgumentException when the key is not declared
     */
    public String text(String key) {
        ConfigKey k = declared(key);
        String v = values.get(key);
        return v != null ? v : k.defaultValue();
    }

    /**
     * Whether the value (or the default) is a word, in any case.
     *
     * @param key a declared key
     * @param word the word, for example one of the key's options
     * @return true when it is
     * @throws IllegalArgumentException when the key is not declared
     */
    public boolean is(String key, String word) {
        String v = text(key);
        return v != null && v.equalsIgnoreCase(word);
    }

    /**
     * A boolean value, checked by the key's rule.
     *
     * @param key a declared key
     * @return the value, else the default
     * @throws IllegalStateException when there is neither
     */
    public boolean bool(String key) {
        return Boolean.parseBoolean(require(key));
    }

    /**
     * A value the key's rule has checked to fit an {@code int}.
     *
     * @param key a declared key
     * @return the value, else the default
     * @throws IllegalStateException when there is neither
     */
    public int integer(String key) {
        return new BigDecimal(require(key)).intValueExact();
    }

    /**
     * A value the key's rule has checked to be a whole number that fits a {@code long}.
     *
     * @param key a declared key
     * @return the value, else the default
     * @throws IllegalStateException when there is neither
     */
    public long whole(String key) {
        return new BigDecimal(require(key)).longValueExact();
    }

    /**
     * A value the key's rule has checked to be a finite number.
     *
     * @param key a declared key
     * @return the value, else the default
     * @throws IllegalStateException when there is neither
     */
    public double number(String key) {
        return Double.parseDouble(require(key));
    }

    private String require(String key) {
        String v = text(key);
        if (v == null) {
            throw new IllegalStateException(source + ": " + key + " has no value and no default");
        }
        return v;
    }

    private ConfigKey declared(String key) {
        ConfigKey k = keys.get(key);
        if (k == null) {
            throw new IllegalArgumentException("'" + key + "' is not one of the keys " + keys.keySet());
        }
        return k;
    }
}
