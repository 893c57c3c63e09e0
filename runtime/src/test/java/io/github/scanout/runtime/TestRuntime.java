package io.github.scanout.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The assembled runtime, started inside the test JVM from the distribution the build just laid
 * out ({@code target/scanout}, or {@code -Dscanout.dist}): the real bundle jars, the launcher's
 * own {@link EmbeddedFramework}, ConfigAdmin through {@link ConfigAdminClient}, pipelines through
 * {@link Pipelines}. The api's classes are reached through the api bundle.
 */
final class TestRuntime implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(15);

    final EmbeddedFramework fw;
    final RunDirectory runDir;
    final ConfigAdminClient cm;
    final Bundle api;

    private TestRuntime(EmbeddedFramework fw, RunDirectory runDir) {
        this.fw = fw;
        this.runDir = runDir;
        this.cm = ConfigAdminClient.of(fw.context());
        this.api = fw.bundle("io.github.scanout.api");
    }

    static Path dist() {
        Path p = Path.of(System.getProperty("scanout.dist", "target/scanout")).toAbsolutePath();
        if (!Files.isDirectory(p.resolve("bundles"))) {
            throw new IllegalStateException("no distribution at " + p + ": run the integration tests after package");
        }
        return p;
    }

    /**
     * Starts the framework with the distribution's bundles/ (those the filter keeps), FileInstall
     * watching {@code watched} (polling every {@code pollMillis}).
     */
    static TestRuntime start(Path work, Predicate<String> keep, List<Path> watched, long pollMillis) throws Exception {
        Path cache = work.resolve("cache");
        if (System.getProperty("jna.tmpdir") == null) {
            Files.createDirectories(cache.resolve("jna"));
            System.setProperty("jna.tmpdir", cache.resolve("jna").toString());
        }
        RunDirectory run = RunDirectory.create(cache);
        List<Path> jars = new ArrayList<>();
        for (Path p : Distribution.jars(dist().resolve("bundles"))) {
            if (keep.test(p.getFileName().toString())) {
                jars.add(p);
            }
        }
        jars.sort((a, b) -> Boolean.compare(a.toString().contains("fileinstall"), b.toString().contains("fileinstall")));
        EmbeddedFramework fw = EmbeddedFramework.start(new EmbeddedFramework.Settings(run.path(), jars, watched,
                pollMillis, Map.of()));
        return new TestRuntime(fw, run);
    }

    BundleContext context() {
        return fw.context();
    }

    /** Creates a device configuration; returns its PID. */
    String device(String name, String spec) {
        return cm.put(RunCommand.DEVICE_PID, name.replaceAll("[^A-Za-z0-9]", "_"), Map.of("spec", spec, "name", name));
    }

    /** A device configuration with more keys besides its spec and name. */
    String device(String name, String spec, Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(more);
        all.put("spec", spec);
        all.put("name", name);
        return cm.put(RunCommand.DEVICE_PID, name.replaceAll("[^A-Za-z0-9]", "_"), all);
    }

    Optional<Pipelines.Stats> stats(String devicePid) {
        return Pipelines.ofConfiguration(context(), devicePid);
    }

    /** Waits until the device's pipeline reports this state. */
    Pipelines.Stats awaitState(String devicePid, String state) {
        await(devicePid + " " + state + " (now " + stats(devicePid).map(s -> s.state() + " " + s.reason()).orElse("none")
                + ")", WAIT, () -> stats(devicePid).map(s -> s.state().equals(state)).orElse(false));
        return stats(devicePid).orElseThrow();
    }

    TestSink sink(String device, String name, double maxFps) throws Exception {
        return TestSink.register(context(), api, device, name, maxFps);
    }

    /** Open leases in this framework's api (its {@code Leases.live()}). */
    long leases() throws Exception {
        return (Long) api.loadClass("io.github.scanout.api.buffer.Leases").getMethod("live").invoke(null);
    }

    long leaked() throws Exception {
        return (Long) api.loadClass("io.github.scanout.api.buffer.Leases").getMethod("leaked").invoke(null);
    }

    /** The simulated device behind a spec (the sim bundle's {@code SimDeviceProvider.device}). */
    Object simDevice(String spec) throws Exception {
        ServiceReference<?>[] refs = context().getAllServiceReferences("io.github.scanout.api.kernel.DeviceProvider",
                "(scanout.scheme=sim)");
        Object provider = context().getService(refs[0]);
        return provider.getClass().getMethod("device", String.class).invoke(provider, spec);
    }

    /** Turns a simulated device's animation on or off. */
    void animate(String spec, boolean on) throws Exception {
        Object d = simDevice(spec);
        d.getClass().getMethod("setAnimate", boolean.class).invoke(d, on);
    }

    /** The gogo command object of core ({@code osgi.command.scope=scanout}). */
    Object commands() throws Exception {
        ServiceReference<?>[] refs = context().getAllServiceReferences((String) null, "(osgi.command.scope=scanout)");
        if (refs == null) {
            throw new AssertionError("no scanout commands service");
        }
        return context().getService(refs[0]);
    }

    static Object invoke(Object target, String method, Class<?>[] types, Object... args) throws Exception {
        try {
            return target.getClass().getMethod(method, types).invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Names of this JVM's live threads that Scanout's code starts ({@code scanout-...}). */
    static Set<String> scanoutThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("scanout-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /**
     * The api's lease leak detector: a {@link java.lang.ref.Cleaner} thread made by
     * {@code Leases}. It outlives its framework: the thread's inherited access control context
     * holds the api bundle's protection domain, hence its class loader, so the Cleaner is never
     * collected and its thread never ends (one per api class loader; reported to the api's owner).
     * The checks after a framework stops therefore leave it out; the checks while a framework runs
     * compare whole sets of threads and do cover it.
     */
    static final String LEAK_DETECTOR = "scanout-lease-leak-detector";

    /** Waits until no {@code scanout-} thread but the api's leak detector is left. */
    static void awaitNoScanoutThreads(Duration timeout) {
        await("no scanout threads after the framework stopped (" + scanoutThreads() + ")", timeout,
                () -> scanoutThreads().stream().allMatch(LEAK_DETECTOR::equals));
    }

    /** Open file descriptors of this process. */
    static int openFds() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : ds) {
                n++;
            }
        }
        return n - 1;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (!fw.stop(WAIT)) {
                throw new AssertionError("the framework did not stop within " + WAIT.toSeconds() + " s");
            }
        } finally {
            runDir.delete();
        }
    }
}
