package io.github.scanout.runtime;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.SinkBundles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * A sink type the command line knows: its name ({@code file}), the factory PID of its
 * configurations, the key its {@code TARGET} sets, and its keys with their rules. Nothing here
 * is written for one sink: the types are read, before the framework starts, from the bundles
 * the runtime will install ({@code bundles/}, {@code bundles/gl/}, {@code bundles/vnc/}, {@code bundles/video/}, {@code deploy/}), so that a
 * new sink, in tree or a third party's, works with {@code --sink} without touching the launcher.
 *
 * <p>Which bundles offer which types is the one rule of {@link SinkBundles}, the same the shell's
 * {@code scanout:attach} applies to the running framework's bundles: a sink component with a
 * factory PID that its metatype designates; the type's keys and rules are the metatype's,
 * read with the same configuration toolkit ({@link ConfigKey}) as the sink itself reads its
 * configuration with, so the launcher and the sink cannot disagree on a value;
 * its TARGET is its first key other than {@code device} (the file sink's {@code path}, the GL
 * sink's {@code mode}), required when that key is required and has no default.
 *
 * <p>Immutable; any thread.
 *
 * @param name the type's name on the command line
 * @param pid the factory PID of its configurations
 * @param targetKey the key TARGET sets
 * @param targetRequired whether TARGET must be given
 * <p>The rules between keys (the file sink refuses {@code cursor=true} with {@code format=raw})
 * are not in a metatype: a sink's component class may declare
 * {@code public static String check(String source, java.util.Map<String, ?> properties)}, returning
 * null or the one line that says what is refused (naming {@code source}), from the same code the sink builds itself with. The
 * launcher loads that class from the bundle's jar (in a class loader of its own, over the
 * launcher's classes) and calls it for each {@code --sink} of the type: a configuration the sink
 * would refuse is then refused before anything starts. A component without it, or one whose
 * class cannot be loaded outside the framework, is checked by its metatype only.
 *
 * @param keys every key it accepts (with {@code device} and {@code sink.name})
 * @param check the sink's own check of a whole configuration (where it came from, the
 *     properties): null when it accepts it, else the line that says why not
 */
record SinkType(String name, String pid, String targetKey, boolean targetRequired, List<ConfigKey> keys,
        java.util.function.BiFunction<String, Map<String, String>, String> check) {

    /** A check that accepts everything the metatype accepts. */
    static final java.util.function.BiFunction<String, Map<String, String>, String> NO_CHECK = (s, p) -> null;

    /** The key every sink accepts besides its own: the name it has in stats and its thread name. */
    static final String SINK_NAME = FrameSink.NAME_PROPERTY;
    /** The key the launcher sets from {@code --device}. */
    static final String DEVICE = FrameSink.DEVICE_PROPERTY;
    /** The name of the file sink type, whose TARGET directories the launcher creates. */
    static final String FILE = "file";
    /** The name of the GL sink type, which needs the bundles in {@code bundles/gl/}. */
    static final String GL = "gl";
    /** The name of the VNC sink type, whose bundle is in {@code bundles/vnc/}. */
    static final String VNC = "vnc";
    /** The factory PID of VNC sink configurations (a {@code conf/} file of it installs the bundle). */
    static final String VNC_PID = "io.github.scanout.sink.vnc";
    /** The names of the sink types whose bundle is in {@code bundles/video/} (GStreamer). */
    static final java.util.Set<String> VIDEO = java.util.Set.of("video", "stream");
    /** The factory PIDs of those types (a {@code conf/} file of one installs the bundle). */
    static final List<String> VIDEO_PIDS = List.of("io.github.scanout.sink.video", "io.github.scanout.sink.stream");

    SinkType {
        keys = List.copyOf(keys);
        check = check == null ? NO_CHECK : check;
    }

    /** This type with the sink's own check. */
    SinkType withCheck(java.util.function.BiFunction<String, Map<String, String>, String> sinksCheck) {
        return new SinkType(name, pid, targetKey, targetRequired, keys, sinksCheck);
    }

    /** The key's declaration, or null when this type has no such key. */
    ConfigKey key(String key) {
        for (ConfigKey k : keys) {
            if (k.name().equals(key)) {
                return k;
            }
        }
        return null;
    }

    /** The key names, in declaration order, for messages. */
    List<String> keyNames() {
        return keys.stream().map(ConfigKey::name).toList();
    }

    /** Whether this is the named type. */
    boolean is(String typeName) {
        return name.equals(typeName);
    }

    // ---- reading the installed types -----------------------------------------------------------

    /**
     * The sink types the distribution's bundles offer: those in {@code bundles/},
     * {@code bundles/gl/} and {@code deploy/}. A jar that cannot be read is passed over here (the
     * framework reports it when it installs it).
     */
    static Map<String, SinkType> installed(Distribution dist) {
        List<Path> jars = new ArrayList<>();
        for (Path dir : List.of(dist.bundles(), dist.glBundles(), dist.vncBundles(), dist.videoBundles(),
                dist.deploy())) {
            try {
                jars.addAll(Distribution.jars(dir));
            } catch (IOException e) {
                // an unreadable directory offers no types; the runtime says so when it starts
            }
        }
        return fromJars(jars);
    }

    /** The sink types these jars offer, by name; the first jar that offers a name wins. */
    static Map<String, SinkType> fromJars(Collection<Path> jars) {
        Map<String, SinkType> out = new TreeMap<>();
        for (Path jar : jars) {
            try {
                for (SinkType t : fromJar(jar)) {
                    out.putIfAbsent(t.name(), t);
                }
            } catch (IOException | RuntimeException e) {
                // not a bundle we can read: not a sink type
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The sink types one bundle offers ({@link SinkBundles#offered}). */
    static List<SinkType> fromJar(Path jar) throws IOException {
        List<String> components = new ArrayList<>();
        List<ConfigKey.Metatype> metatypes = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(jf.entries())) {
                String n = e.getName();
                if (SinkBundles.isMetatype(n)) {
                    try (InputStream in = jf.getInputStream(e)) {
                        metatypes.add(ConfigKey.readMetatype(in));
                    } catch (IOException ex) {
                        // a metatype file we cannot read describes no sink type
                    }
                } else if (SinkBundles.isComponentDescription(n)) {
                    try (InputStream in = jf.getInputStream(e)) {
                        components.add(new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (ZipException e) {
            throw new IOException(jar + " is not a jar: " + e.getMessage(), e);
        }
        Map<String, String> implementations = new java.util.HashMap<>();
        for (String xml : components) {
            java.util.regex.Matcher pid = CONFIGURATION_PID.matcher(xml);
            java.util.regex.Matcher impl = IMPLEMENTATION.matcher(xml);
            if (pid.find() && impl.find()) {
                implementations.put(pid.group(1).trim(), impl.group(1).trim());
            }
        }
        return SinkBundles.offered(components, metatypes).stream().map(offer -> {
            SinkType type = of(offer);
            String impl = implementations.get(offer.pid());
            return impl == null ? type : type.withCheck(sinksCheck(jar, impl));
        }).toList();
    }

    private static final java.util.regex.Pattern CONFIGURATION_PID =
            java.util.regex.Pattern.compile("configuration-pid\\s*=\\s*\"([^\"]+)\"");
    private static final java.util.regex.Pattern IMPLEMENTATION =
            java.util.regex.Pattern.compile("<implementation\\s+class\\s*=\\s*\"([^\"]+)\"");
    /**
     * The component's own {@code static String check(String, Map)} in {@code jar}, loaded on first use;
     * {@link #NO_CHECK} when it has none or cannot be loaded outside the framework.
     */
    static java.util.function.BiFunction<String, Map<String, String>, String> sinksCheck(Path jar, String className) {
        return new java.util.function.BiFunction<>() {
            private java.lang.reflect.Method method;
            private boolean looked;

            @Override
            public synchronized String apply(String source, Map<String, String> properties) {
                if (!looked) {
                    looked = true;
                    try {
                        java.net.URLClassLoader loader = new java.net.URLClassLoader(
                                new java.net.URL[] {jar.toUri().toURL()}, SinkType.class.getClassLoader());
                        java.lang.reflect.Method m = Class.forName(className, false, loader)
                                .getMethod("check", String.class, Map.class);
                        if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getReturnType() == String.class) {
                            method = m;
                        }
                    } catch (ReflectiveOperationException | java.net.MalformedURLException | LinkageError e) {
                        // no check of its own, or one that needs the framework: the metatype's rules only
                    }
                }
                if (method == null) {
                    return null;
                }
                try {
                    return (String) method.invoke(null, source, new java.util.LinkedHashMap<>(properties));
                } catch (ReflectiveOperationException | LinkageError e) {
                    return null;
                }
            }
        };
    }


    /** A sink type from what its bundle offers; its TARGET key is its first own key. */
    static SinkType of(SinkBundles.Offer offer) {
        List<ConfigKey> keys = offer.keys();
        ConfigKey target = keys.stream().filter(k -> !k.name().equals(DEVICE) && !k.name().equals(SINK_NAME))
                .findFirst().orElse(null);
        String targetKey = target == null ? SINK_NAME : target.name();
        boolean required = target != null && target.required() && target.defaultValue() == null;
        return new SinkType(offer.name(), offer.pid(), targetKey, required, keys, NO_CHECK);
    }

    /** The known type names, sorted, for messages. */
    static String knownNames(Map<String, SinkType> types) {
        return SinkBundles.knownNames(types.keySet());
    }
}
