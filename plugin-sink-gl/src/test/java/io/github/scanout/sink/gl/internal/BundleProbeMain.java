package io.github.scanout.sink.gl.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The OSGi side of {@link BundleResolveTest}, in a child JVM (a native library can be loaded by
 * one class loader per JVM, and the test JVM's class path has LWJGL loaded already): starts
 * Felix with nothing but its defaults, installs the api and this bundle (exploded), resolves
 * them, then runs headless EGL from inside the bundle, where LWJGL comes from the embedded
 * jars on the Bundle-ClassPath. Prints {@code RESOLVED ...}, {@code PROBE ...} and the imports.
 */
public final class BundleProbeMain {
    private BundleProbeMain() {}

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path cache = Path.of(args[0]);
        String api = args[1];
        String gl = args[2];
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework f = factory.newFramework(Map.of(Constants.FRAMEWORK_STORAGE, cache.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT, "ds.loglevel", System.getProperty("ds.loglevel", "warn")));
        f.start();
        try {
            BundleContext ctx = f.getBundleContext();
            List<Bundle> others = new java.util.ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                others.add(ctx.installBundle("reference:" + Path.of(args[i]).toUri())); // SCR and what it needs
            }
            Bundle apiBundle = ctx.installBundle("reference:" + Path.of(api).toUri());
            Bundle glBundle = ctx.installBundle("reference:" + Path.of(gl).toUri());
            List<Bundle> all = new java.util.ArrayList<>(others);
            all.add(apiBundle);
            all.add(glBundle);
            boolean resolved = f.adapt(FrameworkWiring.class).resolveBundles(all);
            System.out.println("RESOLVED " + resolved + " api=" + state(apiBundle) + " gl=" + state(glBundle));
            System.out.println("IMPORTS " + glBundle.getHeaders().get(Constants.IMPORT_PACKAGE));
            if (!resolved) {
                try {
                    glBundle.start();
                } catch (org.osgi.framework.BundleException e) {
                    System.out.println("UNRESOLVED " + e.getMessage());
                }
            }
            if (resolved) {
                Class<?> check = glBundle.loadClass("io.github.scanout.sink.gl.internal.GpuCheck");
                System.out.println("LOADER " + (check.getClassLoader() != BundleProbeMain.class.getClassLoader()
                        ? "bundle" : "application"));
                for (Bundle b : all) {
                    b.start();
                }
                // SCR activates the importer (configuration optional) when its service is first got:
                // activation must return at once, GL starting on the importer's own thread
                String filter = "(objectClass=io.github.scanout.api.importer.BufferImporter)";
                org.osgi.framework.ServiceReference<?> ref = null;
                long deadline = System.currentTimeMillis() + 10_000;
                while (ref == null && System.currentTimeMillis() < deadline) {
                    var refs = ctx.getAllServiceReferences(null, filter);
                    if (refs != null) {
                        ref = refs[0];
                    } else {
                        Thread.sleep(10); // SCR may register on its own thread
                    }
                }
                System.out.println("IMPORTER SERVICE " + (ref != null));
                if (ref != null) {
                    long t0 = System.nanoTime();
                    Object importer = ctx.getService((org.osgi.framework.ServiceReference<Object>) ref);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    System.out.println("IMPORTER ACTIVATED " + (importer != null) + " in " + ms + " ms, name "
                            + importer.getClass().getMethod("name").invoke(importer));
                    // GL starts on the importer's own thread, not on the thread that activated it
                    System.out.println("IMPORTER THREAD " + Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals("scanout-gl-importer")));
                }
                Object probe = check.getMethod("probeHeadless", String.class).invoke(null, "auto");
                System.out.println("PROBE " + probe);
            }
        } finally {
            f.stop();
            f.waitForStop(10_000);
        }
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> Integer.toString(b.getState());
        };
    }
}
