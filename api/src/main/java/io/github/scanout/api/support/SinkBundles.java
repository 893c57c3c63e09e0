package io.github.scanout.api.support;

import io.github.scanout.api.sink.FrameSink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule by which a bundle offers a sink type, applied by the launcher to the jars before
 * the framework starts ({@code --sink}) and by the shell to the installed bundles
 * ({@code scanout:attach}), so both know the same types and check the same keys.
 *
 * <p>A bundle offers a sink type when one of its Declarative Services components
 * ({@code OSGI-INF/*.xml}) provides {@link FrameSink} with a {@code configuration-pid} that its
 * OSGi metatype ({@code OSGI-INF/metatype/*.xml}, which bnd generates from an
 * {@code @ObjectClassDefinition}) designates as a factory PID. The type's name is the PID's last
 * segment, lower case ({@code io.github.scanout.sink.file} is {@code file}); its keys are the
 * metatype's ({@link ConfigKey#readMetatype}) plus {@value FrameSink#DEVICE_PROPERTY} and
 * {@value FrameSink#NAME_PROPERTY} ({@link ConfigReader#sinkKeys}).
 *
 * <p>How the files are found (a jar's entries, {@code Bundle.findEntries}) is the caller's; this
 * class sees their text. Immutable results; any thread.
 */
public final class SinkBundles {

    /**
     * One sink type a bundle offers.
     *
     * @param name its name on the command line and in {@code scanout:attach} ({@code file})
     * @param pid the factory PID of its configurations
     * @param keys its keys, with {@value FrameSink#DEVICE_PROPERTY} and {@value FrameSink#NAME_PROPERTY}
     */
    public record Offer(String name, String pid, List<ConfigKey> keys) {
        /**
         * Copies {@code keys}.
         *
         * @param name its name
         * @param pid its factory PID
         * @param keys its keys
         */
        public Offer {
            keys = List.copyOf(keys);
        }
    }

    /** The folder of a bundle's component descriptions (the descriptions are its {@code *.xml} files). */
    public static final String COMPONENTS = "OSGI-INF";
    /** The folder of a bundle's metatype files (its {@code *.xml} files). */
    public static final String METATYPES = "OSGI-INF/metatype";

    private static final Pattern PROVIDES_SINK = Pattern.compile("<provide\\s+interface\\s*=\\s*\""
            + Pattern.quote(FrameSink.class.getName()) + "\"");
    private static final Pattern CONFIGURATION_PID = Pattern.compile("configuration-pid\\s*=\\s*\"([^\"]+)\"");

    private SinkBundles() {
    }

    /**
     * Whether a jar entry is a component description ({@code OSGI-INF/NAME.xml}, directly in the folder).
     *
     * @param entryName the entry's name in the jar
     * @return whether it is one
     */
    public static boolean isComponentDescription(String entryName) {
        return isXmlIn(entryName, COMPONENTS);
    }

    /**
     * Whether a jar entry is a metatype file ({@code OSGI-INF/metatype/NAME.xml}).
     *
     * @param entryName the entry's name in the jar
     * @return whether it is one
     */
    public static boolean isMetatype(String entryName) {
        return isXmlIn(entryName, METATYPES);
    }

    private static boolean isXmlIn(String entryName, String folder) {
        String prefix = folder + "/";
        return entryName.startsWith(prefix) && entryName.endsWith(".xml")
                && entryName.indexOf('/', prefix.length()) < 0;
    }

    /**
     * The sink types one bundle offers.
     *
     * @param componentXml the text of the bundle's component descriptions
     * @param metatypes the bundle's metatype files, read
     * @return the types, in the order of {@code componentXml}
     */
    public static List<Offer> offered(Collection<String> componentXml, Collection<ConfigKey.Metatype> metatypes) {
        Map<String, List<ConfigKey>> factories = new LinkedHashMap<>();
        for (ConfigKey.Metatype m : metatypes) {
            for (String pid : m.factories()) {
                factories.put(pid, m.keysOf(pid));
            }
        }
        List<Offer> out = new ArrayList<>();
        for (String xml : componentXml) {
            Matcher pid = CONFIGURATION_PID.matcher(xml);
            if (PROVIDES_SINK.matcher(xml).find() && pid.find()) {
                String p = pid.group(1).trim();
                List<ConfigKey> keys = factories.get(p);
                if (keys != null) {
                    out.add(new Offer(p.substring(p.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT), p,
                            ConfigReader.sinkKeys(keys)));
                }
            }
        }
        return out;
    }

    /**
     * The known type names, sorted, for messages.
     *
     * @param names the names of the types
     * @return {@code file, gl, vnc}, or {@code none installed}
     */
    public static String knownNames(Collection<String> names) {
        return names.isEmpty() ? "none installed" : String.join(", ", new TreeSet<>(names));
    }
}
