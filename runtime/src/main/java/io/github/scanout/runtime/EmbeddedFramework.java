package io.github.scanout.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Felix, embedded through {@link ServiceLoader}{@code <FrameworkFactory>}, with the given bundles
 * installed by reference (the jars are read where they are, never copied) and started.
 *
 * <p>Framework properties set here:
 * <ul>
 *   <li>the bundle cache in the process's run directory, cleaned at start;</li>
 *   <li>ConfigAdmin's store in memory (its built-in persistence manager named {@code memory},
 *       {@code felix.cm.pm}): configurations that are not files in {@code conf/} last as long as
 *       the process, as they did in a store in the run directory, which is deleted when the
 *       process ends; a configuration made while running (a sink hot-swapped in) is no longer
 *       written to a file first (create, write, rename: about 1.3 ms of an 11 ms hot swap on
 *       2026-12-07);</li>
 *   <li>FileInstall watching {@code conf/} and {@code deploy/} (when given): {@code *.cfg},
 *       {@code *.config} and {@code *.jar}, scanned at start and then every
 *       {@code poll} ms, never writing configurations back into {@code conf/}, its temporary
 *       files in the run directory;</li>
 *   <li>the OSGi Log service's default level ({@code org.osgi.service.log.admin.loglevel}) from
 *       the console level ({@link Logging#level()}); {@link LogBridge} prints its entries;</li>
 *   <li>SCR logging warnings and errors to the console when it finds no Log service.</li>
 * </ul>
 *
 * <p>Threads: start and stop from one thread; {@link #context()} from any.
 */
final class EmbeddedFramework {

    /** What to start. */
    record Settings(Path runDirectory, List<Path> bundles, List<Path> watched, long pollMillis,
            Map<String, String> extraProperties) {
        Settings {
            bundles = List.copyOf(bundles);
            watched = List.copyOf(watched);
            extraProperties = Map.copyOf(extraProperties);
        }
    }

    private final Framework framework;
    private final List<Bundle> bundles;

    private EmbeddedFramework(Framework framework, List<Bundle> bundles) {
        this.framework = framework;
        this.bundles = List.copyOf(bundles);
    }

    /** The framework properties for these settings. */
    static Map<String, String> properties(Settings s) {
        Map<String, String> p = new HashMap<>();
        Path run = s.runDirectory();
        p.put(Constants.FRAMEWORK_STORAGE, run.resolve("felix").toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put("felix.log.level", "1");
        p.put("ds.loglevel", System.getProperty("scanout.ds.loglevel", "warn"));
        // SCR gives up on a component's lock after 5 s by default ("Could not obtain lock", an
        // ERROR event, the service missing for its consumer); under emulation or a heavily loaded
        // host an activation can hold it longer. A real deadlock still shows, after a minute.
        p.put("ds.lock.timeout.milliseconds", "60000");
        p.put("org.osgi.service.log.admin.loglevel", Logging.osgiLevel(Logging.level()));
        p.put("felix.cm.pm", "memory");
        // The web console's HTTP service (Felix HTTP Jetty, bundles/web/) listens on *:8080 as
        // soon as it starts unless told otherwise: off (no http, no https, no port) until the
        // console's component writes its configuration (org.apache.felix.http: the console's
        // address alone), and off again when it deletes it.
        p.put("org.apache.felix.http.enable", "false");
        p.put("org.apache.felix.https.enable", "false");
        p.put("org.osgi.service.http.port", "-1");
        p.put("org.osgi.service.http.port.secure", "-1");
        p.put("org.apache.felix.http.host", "127.0.0.1");
        // FileInstall never writes configurations back into (or deletes files from) conf/
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.tmpdir", run.resolve("fileinstall").toString());
        p.put("felix.fileinstall.log.default", "jul");
        p.put("felix.fileinstall.log.level", "2");
        if (!s.watched().isEmpty()) {
            p.put("felix.fileinstall.dir", String.join(",", s.watched().stream().map(Path::toString).toList()));
            p.put("felix.fileinstall.filter", ".*\\.(cfg|config|jar)");
            p.put("felix.fileinstall.poll", Long.toString(s.pollMillis()));
            p.put("felix.fileinstall.noInitialDelay", "true");
        }
        p.putAll(s.extraProperties());
        return p;
    }

    /**
     * Starts the framework with the bundles, in the order given.
     *
     * @throws BundleException naming the bundle that cannot be installed or started
     */
    static EmbeddedFramework start(Settings s) throws BundleException {
        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class,
                EmbeddedFramework.class.getClassLoader()).iterator();
        if (!factories.hasNext()) {
            throw new BundleException("no OSGi framework on the class path (lib/org.apache.felix.framework.jar is missing)");
        }
        Framework framework = factories.next().newFramework(properties(s));
        framework.init();
        LogBridge.attach(framework.getBundleContext());
        List<Bundle> installed = new ArrayList<>();
        try {
            BundleContext ctx = framework.getBundleContext();
            for (Path jar : s.bundles()) {
                try {
                    installed.add(ctx.installBundle("reference:" + jar.toUri()));
                } catch (BundleException e) {
                    throw new BundleException("cannot install " + jar + ": " + e.getMessage(), e);
                }
            }
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start(); // marked for start; started with the framework, in install order
                }
            }
            framework.start();
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                    // the framework logs why; starting again throws the reason
                    b.start();
                }
            }
        } catch (BundleException | RuntimeException e) {
            stopQuietly(framework, Duration.ofSeconds(5));
            throw e;
        }
        return new EmbeddedFramework(framework, installed);
    }

    private static void stopQuietly(Framework f, Duration wait) {
        try {
            f.stop();
            f.waitForStop(wait.toMillis());
        } catch (BundleException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The system bundle's context. */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /** The framework. */
    Framework framework() {
        return framework;
    }

    /** The bundles installed at start, in install order. */
    List<Bundle> bundles() {
        return bundles;
    }

    /** The installed bundle with this symbolic name, or null. */
    Bundle bundle(String symbolicName) {
        BundleContext ctx = context();
        if (ctx == null) {
            return null;
        }
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** Whether the framework is still active (not stopping or stopped). */
    boolean active() {
        return framework.getState() == Bundle.ACTIVE;
    }

    /**
     * Waits until the framework has stopped (by {@link #stop} or from inside, as the shell's
     * {@code exit} does).
     *
     * @return true when it has stopped within the timeout
     */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        FrameworkEvent e = framework.waitForStop(Math.max(1, timeout.toMillis()));
        return e.getType() != FrameworkEvent.WAIT_TIMEDOUT;
    }

    /** The bundle whose components own the pipelines: stopped first, see {@link #stopCore()}. */
    static final String CORE = "io.github.scanout.core";

    /**
     * Stops core (transiently): every pipeline closes while the device providers, plane sources
     * and sinks are all still there, each sink detached after the frame in hand and each device
     * released. Stopping the framework directly would stop the providers and plane sources first
     * (reverse install order), and the pipelines would re-probe and try to reopen on the way down.
     */
    void stopCore() {
        Bundle core = bundle(CORE);
        if (core != null && core.getState() == Bundle.ACTIVE) {
            try {
                core.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException | IllegalStateException e) {
                // the framework stops it anyway
            }
        }
    }

    /**
     * Stops the framework: core first ({@link #stopCore()}), then every bundle in reverse start
     * order, each component deactivated, so sinks are flushed and devices closed.
     *
     * @return true when it stopped within the timeout
     */
    boolean stop(Duration timeout) throws InterruptedException {
        stopCore();
        try {
            framework.stop();
        } catch (BundleException e) {
            return false;
        }
        return awaitStop(timeout);
    }
}
