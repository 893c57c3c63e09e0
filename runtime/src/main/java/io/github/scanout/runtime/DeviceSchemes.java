package io.github.scanout.runtime;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The device spec schemes ({@code sim:}, {@code vm:}, {@code libvirt:}, {@code fd:} ...) the
 * distribution's bundles answer, and their checks, read before the framework starts so that a
 * {@code --device} spec that cannot work is refused with exit status 2 and one line, rather than
 * found wrong after the runtime has started.
 *
 * <p>A bundle that answers schemes says so in its manifest:
 * {@code Scanout-Spec-Check: sim=io.github.scanout.sim.SimDevices} (a comma-separated list of
 * {@code scheme=class}); the class has {@code public static String check(String spec)}, which
 * returns null for a spec of the right form or the line that says what is wrong, and opens
 * nothing. The launcher loads it from the bundles' jars in a class loader of its own (over the
 * launcher's classes). A spec without a scheme (an mdev UUID, a sysfs path), of a scheme no
 * bundle declares, or whose check cannot be loaded outside the framework is passed on unchecked:
 * the runtime reports it.
 *
 * <p>Immutable once read; any thread.
 */
final class DeviceSchemes {
    /** The manifest header. */
    static final String HEADER = "Scanout-Spec-Check";

    private record Check(Path jar, String className) {}

    private final Map<String, Check> checks;
    private final List<Path> jars;

    private DeviceSchemes(Map<String, Check> checks, List<Path> jars) {
        this.checks = Collections.unmodifiableMap(checks);
        this.jars = List.copyOf(jars);
    }

    /** The schemes the distribution's bundles ({@code bundles/}, gl, vnc, {@code deploy/}) declare. */
    static DeviceSchemes installed(Distribution dist) {
        List<Path> jars = new ArrayList<>();
        for (Path dir : List.of(dist.bundles(), dist.glBundles(), dist.vncBundles(), dist.deploy())) {
            try {
                jars.addAll(Distribution.jars(dir));
            } catch (IOException e) {
                // an unreadable directory declares nothing; the runtime says so when it starts
            }
        }
        return fromJars(jars);
    }

    /** The schemes these jars declare; the first jar that declares a scheme wins. */
    static DeviceSchemes fromJars(Collection<Path> jars) {
        Map<String, Check> out = new TreeMap<>();
        for (Path jar : jars) {
            try (JarFile jf = new JarFile(jar.toFile())) {
                Manifest m = jf.getManifest();
                String header = m == null ? null : m.getMainAttributes().getValue(HEADER);
                if (header == null) {
                    continue;
                }
                for (String entry : header.split(",")) {
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        out.putIfAbsent(entry.substring(0, eq).trim().toLowerCase(Locale.ROOT),
                                new Check(jar, entry.substring(eq + 1).trim()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not a jar we can read: it declares nothing (the runtime reports it when it installs it)
            }
        }
        return new DeviceSchemes(out, List.copyOf(jars));
    }

    /** The declared schemes, sorted. */
    List<String> schemes() {
        return List.copyOf(checks.keySet());
    }

    /**
     * Checks a spec with its scheme's check.
     *
     * @param spec the spec the device configuration will open
     * @return null when it passes (or cannot be checked here), else what is wrong with it
     */
    String check(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        if (colon <= 0 || s.startsWith("/")) {
            return null; // an mdev UUID or a sysfs path: the runtime looks for it
        }
        Check c = checks.get(s.substring(0, colon).toLowerCase(Locale.ROOT));
        if (c == null) {
            return null;
        }
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(c.jar().toUri().toURL());
            for (Path j : jars) {
                if (!j.equals(c.jar())) {
                    urls.add(j.toUri().toURL());
                }
            }
        } catch (MalformedURLException e) {
            return null;
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), DeviceSchemes.class.getClassLoader())) {
            Method m = Class.forName(c.className(), true, loader).getMethod("check", String.class);
            if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != String.class) {
                return null;
            }
            return (String) m.invoke(null, s);
        } catch (ReflectiveOperationException | IOException | LinkageError | RuntimeException e) {
            return null; // a check that needs the framework: the runtime reports the spec
        }
    }
}
