package io.github.scanout.api.support;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * One configuration key: its name, type, range, options, default and description; and what a
 * value must look like ({@link #check}). A component's keys are usually not written out in Java
 * but read from the OSGi metatype that bnd generates from its {@code @ObjectClassDefinition}
 * ({@link #fromMetatype(Class)}), so that the component, the launcher's up-front check of
 * {@code --sink} and the shell's {@code scanout:attach} all check the same rules from one
 * declaration. {@link ConfigReader} reads a configuration against a list of keys.
 *
 * <p>The metatype is read with the JDK's XML parser rather than the OSGi MetaTypeService
 * because the launcher needs the keys before any framework runs.
 *
 * <p>Rules, from the metatype's attribute definition:
 * <ul>
 *   <li>{@code Boolean}: {@code true} or {@code false} (any case);</li>
 *   <li>{@code Integer}, {@code Long} (and {@code Short}, {@code Byte}): a whole number within
 *       {@code min} and {@code max}, which default to the Java type's own range, so that a value
 *       accepted here always fits the field it is read into;</li>
 *   <li>{@code Double} (and {@code Float}): a decimal number within {@code min} and
 *       {@code max} (no NaN or infinity);</li>
 *   <li>{@code String}: anything, or, when options are declared, one of them (any case); a
 *       required key without a default must not be blank.</li>
 * </ul>
 * Scanout's one extension: options declared on a number key are words accepted besides the
 * numbers (the file sink's {@code max.fps} is a number from 0 to 1000 or {@code auto}).
 *
 * <p>Immutable; any thread.
 *
 * @param name the key, dotted lower case by convention ({@code max.fps})
 * @param type what its value is
 * @param min the smallest number accepted, or null for the type's own bound
 * @param max the largest number accepted, or null for the type's own bound
 * @param options the values accepted (strings), or the words accepted besides numbers
 * @param defaultValue the value when the key is absent, as text; null when there is none
 * @param required whether a configuration must give it (when it has no default)
 * @param description what it does, for messages and documentation
 */
public record ConfigKey(String name, Type type, BigDecimal min, BigDecimal max, List<String> options,
        String defaultValue, boolean required, String description) {

    /** What a key's value is. */
    public enum Type {
        /** Text, or one of the declared options. */
        STRING,
        /** {@code true} or {@code false}, any case. */
        BOOLEAN,
        /** A whole number that fits an {@code int}. */
        INTEGER,
        /** A whole number that fits a {@code long}. */
        LONG,
        /** A finite decimal number. */
        DOUBLE
    }

    /**
     * Copies {@code options}, treats a null description as empty, and narrows the bounds of
     * whole-number keys to their type's range.
     *
     * @param name the key
     * @param type what its value is
     * @param min the smallest number accepted, or null
     * @param max the largest number accepted, or null
     * @param options the values accepted, or the words accepted besides numbers
     * @param defaultValue the value when the key is absent, or null
     * @param required whether a configuration must give it
     * @param description what it does, or null
     */
    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        options = List.copyOf(options);
        description = description == null ? "" : description;
        if (type == Type.INTEGER) {
            min = min == null ? BigDecimal.valueOf(Integer.MIN_VALUE) : min.max(BigDecimal.valueOf(Integer.MIN_VALUE));
            max = max == null ? BigDecimal.valueOf(Integer.MAX_VALUE) : max.min(BigDecimal.valueOf(Integer.MAX_VALUE));
        } else if (type == Type.LONG) {
            min = min == null ? BigDecimal.valueOf(Long.MIN_VALUE) : min.max(BigDecimal.valueOf(Long.MIN_VALUE));
            max = max == null ? BigDecimal.valueOf(Long.MAX_VALUE) : max.min(BigDecimal.valueOf(Long.MAX_VALUE));
        }
    }

    /**
     * A text key.
     *
     * @param name the key
     * @param defaultValue the value when it is absent, or null for none
     * @param description what it does
     * @return the key
     */
    public static ConfigKey text(String name, String defaultValue, String description) {
        return new ConfigKey(name, Type.STRING, null, null, List.of(), defaultValue, false, description);
    }

    /**
     * A text key whose value is one of {@code options} (any case).
     *
     * @param name the key
     * @param defaultValue the value when it is absent, or null for none
     * @param description what it does
     * @param options the values accepted
     * @return the key
     */
    public static ConfigKey choice(String name, String defaultValue, String description, String... options) {
        return new ConfigKey(name, Type.STRING, null, null, List.of(options), defaultValue, false, description);
    }

    /**
     * A boolean key.
     *
     * @param name the key
     * @param defaultValue the value when it is absent
     * @param description what it does
     * @return the key
     */
    public static ConfigKey bool(String name, boolean defaultValue, String description) {
        return new ConfigKey(name, Type.BOOLEAN, null, null, List.of(), Boolean.toString(defaultValue), false,
                description);
    }

    /**
     * A whole number that fits an {@code int}, from {@code min} to {@code max}.
     *
     * @param name the key
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param defaultValue the value when it is absent
     * @param description what it does
     * @return the key
     */
    public static ConfigKey integer(String name, int min, int max, int defaultValue, String description) {
        return new ConfigKey(name, Type.INTEGER, BigDecimal.valueOf(min), BigDecimal.valueOf(max), List.of(),
                Integer.toString(defaultValue), false, description);
    }

    /**
     * A decimal number from {@code min} to {@code max}.
     *
     * @param name the key
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param defaultValue the value when it is absent
     * @param description what it does
     * @return the key
     */
    public static ConfigKey number(String name, double min, double max, double defaultValue, String description) {
        return new ConfigKey(name, Type.DOUBLE, BigDecimal.valueOf(min), BigDecimal.valueOf(max), List.of(),
                Double.toString(defaultValue), false, description);
    }

    /** {@return a copy of this key that a configuration must give} */
    public ConfigKey asRequired() {
        return new ConfigKey(name, type, min, max, options, defaultValue, true, description);
    }

    /**
     * The spelling this key had before Scanout settled on dotted lower case: {@code max.fps} was
     * {@code maxFps}, {@code only.when.changed} was {@code onlyWhenChanged}. Equal to
     * {@link #name()} for a key without dots.
     *
     * @return the camel-case spelling
     */
    public String oldSpelling() {
        StringBuilder b = new StringBuilder(name.length());
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '.') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }

    /**
     * Checks one value.
     *
     * @param value the value as text, or null when absent
     * @return null when it is accepted, else what is accepted ({@link #rule()})
     */
    public String check(String value) {
        String v = value == null ? "" : value.trim();
        boolean ok = switch (type) {
            case BOOLEAN -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
            case STRING -> options.isEmpty() ? !(required && defaultValue == null && v.isEmpty()) : isOption(v);
            case INTEGER, LONG, DOUBLE -> isOption(v) || inRange(v);
        };
        return ok ? null : rule();
    }

    private boolean isOption(String v) {
        for (String o : options) {
            if (o.equalsIgnoreCase(v)) {
                return true;
            }
        }
        return false;
    }

    private boolean inRange(String v) {
        BigDecimal d;
        try {
            // BigDecimal: no NaN, no infinity, no hex floats, no 'd'/'f' suffixes
            d = new BigDecimal(v);
        } catch (NumberFormatException e) {
            return false;
        }
        if (type != Type.DOUBLE && d.stripTrailingZeros().scale() > 0) {
            return false;
        }
        if (type == Type.DOUBLE && !Double.isFinite(d.doubleValue())) {
            return false;
        }
        return (min == null || d.compareTo(min) >= 0) && (max == null || d.compareTo(max) <= 0);
    }

    /** {@return what a value must be, for messages: {@code a whole number from 0 to 2147483647}} */
    public String rule() {
        String words = options.isEmpty() ? "" : " or " + String.join(", ", options);
        return switch (type) {
            case BOOLEAN -> "true or false";
            case STRING -> options.isEmpty() ? "a value that is not blank" : "one of " + String.join(", ", options);
            case INTEGER, LONG -> "a whole number from " + min.toPlainString() + " to " + max.toPlainString() + words;
            case DOUBLE -> (min == null && max == null ? "a number"
                    : min == null ? "a number up to " + max.toPlainString()
                    : max == null ? "a number from " + min.toPlainString()
                    : "a number from " + min.toPlainString() + " to " + max.toPlainString()) + words;
        };
    }

    /**
     * What the key accepts and what it is when absent, for listings:
     * {@code a whole number from 0 to 100; default 4}, {@code one of png, y4m, raw; required} or
     * {@code text; default empty}.
     *
     * @return the rule ({@link #rule()}) and the default, or {@code required}
     */
    public String summary() {
        String rule = type == Type.STRING && options.isEmpty() ? "text" : rule();
        return rule + (defaultValue == null ? (required ? "; required" : "")
                : defaultValue.isEmpty() ? "; default empty" : "; default " + defaultValue);
    }

    /**
     * Keys as a table for people: one line each, the name, what it accepts ({@link #summary()})
     * and the description, in the order given. The shell's {@code scanout:keys} and
     * {@code scanout ctl keys} print this.
     *
     * @param keys the keys
     * @return the lines, each ending with a line break
     */
    public static String table(List<ConfigKey> keys) {
        int width = 0;
        for (ConfigKey k : keys) {
            width = Math.max(width, k.name().length());
        }
        StringBuilder b = new StringBuilder();
        for (ConfigKey k : keys) {
            b.append(String.format(Locale.ROOT, "%-" + Math.max(1, width) + "s  %s", k.name(), k.summary()));
            if (!k.description().isEmpty()) {
                b.append("\n").append(" ".repeat(width + 2)).append(k.description());
            }
            b.append('\n');
        }
        return b.toString();
    }

    // ---- metatype ------------------------------------------------------------------------------

    /**
     * The keys an {@code @ObjectClassDefinition} annotation declares, from the metatype file bnd
     * generates for it ({@code OSGI-INF/metatype/<class name>.xml}, found through the class's
     * loader: the bundle inside OSGi, the class path in tests), in declaration order.
     *
     * @param ocd the class annotated with {@code @ObjectClassDefinition}
     * @return its keys
     * @throws IllegalStateException when the file is missing or unreadable (a build problem)
     */
    public static List<ConfigKey> fromMetatype(Class<?> ocd) {
        String resource = "OSGI-INF/metatype/" + ocd.getName() + ".xml";
        ClassLoader loader = ocd.getClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not in the bundle of " + ocd.getName());
            }
            Map<String, List<ConfigKey>> ocds = readMetatype(in).ocds();
            List<ConfigKey> keys = ocds.get(ocd.getName());
            if (keys == null) {
                throw new IllegalStateException(resource + " does not define " + ocd.getName());
            }
            return keys;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * What one metatype file says.
     *
     * @param ocds the keys of each object class definition, by its id, in declaration order
     * @param designates the OCD id each PID or factory PID is designated to
     * @param factories the PIDs of {@code designates} that are factory PIDs
     */
    public record Metatype(Map<String, List<ConfigKey>> ocds, Map<String, String> designates, List<String> factories) {

        /**
         * The keys of the configurations of a PID or factory PID.
         *
         * @param pid the PID or factory PID
         * @return its keys; empty when it is not designated here
         */
        public List<ConfigKey> keysOf(String pid) {
            String ocd = designates.get(pid);
            return ocd == null ? List.of() : ocds.getOrDefault(ocd, List.of());
        }
    }

    /**
     * Reads an OSGi metatype file ({@code OSGI-INF/metatype/*.xml}). DTDs and external entities
     * are refused: the file may come from a third party's bundle.
     *
     * @param in the file's bytes
     * @return what the file says
     * @throws IOException when it is not a metatype file Scanout can read
     */
    public static Metatype readMetatype(InputStream in) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            doc = f.newDocumentBuilder().parse(in);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not a metatype file: " + e.getMessage(), e);
        }
        Map<String, List<ConfigKey>> ocds = new LinkedHashMap<>();
        for (Element ocd : children(doc.getDocumentElement(), "OCD")) {
            List<ConfigKey> keys = new ArrayList<>();
            for (Element ad : children(ocd, "AD")) {
                keys.add(fromAd(ad));
            }
            ocds.put(ocd.getAttribute("id"), List.copyOf(keys));
        }
        Map<String, String> designates = new LinkedHashMap<>();
        List<String> factories = new ArrayList<>();
        for (Element d : children(doc.getDocumentElement(), "Designate")) {
            String pid = d.getAttribute("factoryPid");
            boolean factory = !pid.isEmpty();
            if (!factory) {
                pid = d.getAttribute("pid");
            }
            for (Element o : children(d, "Object")) {
                designates.put(pid, o.getAttribute("ocdref"));
            }
            if (factory) {
                factories.add(pid);
            }
        }
        return new Metatype(ocds, designates, List.copyOf(factories));
    }

    private static ConfigKey fromAd(Element ad) throws IOException {
        String id = ad.getAttribute("id");
        if (id.isEmpty()) {
            throw new IOException("an AD without an id");
        }
        Type type = switch (ad.getAttribute("type").isEmpty() ? "String" : ad.getAttribute("type")) {
            case "Boolean" -> Type.BOOLEAN;
            case "Integer", "Short", "Byte" -> Type.INTEGER;
            case "Long" -> Type.LONG;
            case "Double", "Float" -> Type.DOUBLE;
            default -> Type.STRING;
        };
        List<String> options = new ArrayList<>();
        for (Element o : children(ad, "Option")) {
            options.add(o.getAttribute("value"));
        }
        BigDecimal min = null;
        BigDecimal max = null;
        if (type != Type.STRING && type != Type.BOOLEAN) { // for strings, min and max are lengths: not used
            min = decimal(id, ad.getAttribute("min"));
            max = decimal(id, ad.getAttribute("max"));
        }
        String dflt = ad.hasAttribute("default") ? ad.getAttribute("default") : null;
        boolean required = !ad.hasAttribute("required") || Boolean.parseBoolean(ad.getAttribute("required"));
        return new ConfigKey(id, type, min, max, options, dflt, required, ad.getAttribute("description"));
    }

    private static BigDecimal decimal(String id, String text) throws IOException {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IOException("AD " + id + ": min/max '" + text + "' is not a number");
        }
    }

    private static List<Element> children(Node parent, String localName) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e
                    && localName.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The key's name in lower case, for comparing spellings that differ only in case. */
    String folded() {
        return name.toLowerCase(Locale.ROOT);
    }
}
