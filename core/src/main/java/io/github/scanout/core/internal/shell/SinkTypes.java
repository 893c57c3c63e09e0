package io.github.scanout.core.internal.shell;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.SinkBundles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The sink types the running framework's bundles offer, found with the rule the launcher applies
 * to the jars before the framework starts ({@link SinkBundles}), so {@code scanout:attach} and
 * {@code --sink} know the same types and check the same keys.
 *
 * <p>The files are read through the Bundle API ({@link Bundle#findEntries}) rather than the
 * OSGi MetaTypeService because the Scanout distribution installs no MetaTypeService bundle.
 *
 * <p>Immutable results; any thread.
 */
final class SinkTypes {

    private SinkTypes() {
    }

    /**
     * The sink types of the installed, resolved bundles, by name; the first bundle (lowest id)
     * that offers a name wins. A bundle whose files cannot be read offers none.
     */
    static Map<String, SinkBundles.Offer> installed(BundleContext context) {
        Map<String, SinkBundles.Offer> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if ((b.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) == 0) {
                continue;
            }
            try {
                for (SinkBundles.Offer t : SinkBundles.offered(texts(b, SinkBundles.COMPONENTS), metatypes(b))) {
                    out.putIfAbsent(t.name(), t);
                }
            } catch (IOException | RuntimeException e) {
                // a bundle we cannot read offers no sink type (the framework reports its own problems)
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<ConfigKey.Metatype> metatypes(Bundle b) throws IOException {
        List<ConfigKey.Metatype> out = new ArrayList<>();
        for (URL u : entries(b, SinkBundles.METATYPES)) {
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
