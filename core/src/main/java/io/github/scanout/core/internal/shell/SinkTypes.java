package io.github.scanout.core.internal.shell;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The sink types the running framework's bundles offer, found by the rule the launcher applies
 * to the jars before the framework starts (so {@code scanout:attach} and {@code --sink} know the
 * same types and check the same keys): a bundle offers a sink type when one of its Declarative
 * Services components ({@code OSGI-INF/*.xml}) provides {@link FrameSink} with a
 * {@code configuration-pid} that its OSGi metatype ({@code OSGI-INF/metatype/*.xml}, generated
 * by bnd from an {@code @ObjectClassDefinition}) designates as a factory PID. The type's name is
 * the PID's last segment ({@code io.github.scanout.sink.file} is {@code file}), its keys the
 * metatype's, read with {@link ConfigKey#readMetatype}.
 *
 * <p>The files are read through the Bundle API ({@link Bundle#findEntries}) rather than the
 * OSGi MetaTypeService because the Scanout distribution installs no MetaTypeService bundle.
 *
 * <p>Immutable results; any thread.
 */
final class SinkTypes {

    /**
     * One sink type.
     *
     * @param name its name in {@code scanout:attach} ({@code file})
     * @param pid the factory PID of its configurations
     * @param keys its keys, with {@code device} and {@code sink.name}
     */
    record Type(String name, String pid, List<ConfigKey> keys) {
        Type {
            keys = List.copyOf(keys);
        }
    }

    private static final Pattern PROVIDES_SINK = Pattern.compile("<provide\\s+interface\\s*=\\s*\""
            + Pattern.quote(FrameSink.class.getName()) + "\"");
    private static final Pattern CONFIGURATION_PID = Pattern.compile("configuration-pid\\s*=\\s*\"([^\"]+)\"");

    private SinkTypes() {
    }

    /**
     * The sink types of the installed, resolved bundles, by name; the first bundle (lowest id)
     * that offers a name wins. A bundle whose files cannot be read offers none.
     */
    static Map<String, Type> installed(BundleContext context) {
        Map<String, Type> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if ((b.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) == 0) {
                continue;
            }
            try {
                for (Type t : offered(texts(b, "OSGI-INF"), metatypes(b))) {
                    out.putIfAbsent(t.name(), t);
                }
            } catch (IOException | RuntimeException e) {
                // a bundle we cannot read offers no sink type (the framework reports its own problems)
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The sink types one bundle offers.
     *
     * @param componentXml the bundle's DS component descriptions ({@code OSGI-INF/*.xml})
     * @param metatypes the bundle's metatype files
     */
    static List<Type> offered(List<String> componentXml, List<ConfigKey.Metatype> metatypes) {
        Map<String, List<ConfigKey>> factories = new LinkedHashMap<>();
        for (ConfigKey.Metatype m : metatypes) {
            for (String pid : m.factories()) {
                factories.put(pid, m.keysOf(pid));
            }
        }
        List<Type> out = new ArrayList<>();
        for (String xml : componentXml) {
            Matcher pid = CONFIGURATION_PID.matcher(xml);
            if (PROVIDES_SINK.matcher(xml).find() && pid.find()) {
                String p = pid.group(1).trim();
                List<ConfigKey> keys = factories.get(p);
                if (keys != null) {
                    out.add(new Type(p.substring(p.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT), p,
                            ConfigReader.sinkKeys(keys)));
                }
            }
        }
        return out;
    }

    /** The known type names, sorted, for messages: {@code file, gl, vnc}. */
    static String knownNames(Map<String, Type> types) {
        return types.isEmpty() ? "none installed" : String.join(", ", new TreeMap<>(types).keySet());
    }

    private static List<ConfigKey.Metatype> metatypes(Bundle b) throws IOException {
        List<ConfigKey.Metatype> out = new ArrayList<>();
        for (URL u : entries(b, "OSGI-INF/metatype")) {
            try (InputStream in = u.openStream()) {
                out.add(ConfigKey.readMetatype(in));
            } catch (IOException e) {
                // a metatype file we cannot read describes no sink type
            }
        }
        return out;
    }

    private static List<String> texts(Bundle b, String dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (URL u : entries(b, dir)) {
            try (InputStream in = u.openStream()) {
                out.add(new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static List<URL> entries(Bundle b, String dir) {
        Enumeration<URL> e = b.findEntries(dir, "*.xml", false);
        return e == null ? List.of() : Collections.list(e);
    }
}
