package io.github.scanout.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.osgi.framework.BundleException;

/**
 * A supported hook for measuring tools (the {@code bench} module's hot-swap figure): the
 * launcher's own embedded framework ({@link EmbeddedFramework}, as {@code bin/scanout} runs it,
 * without FileInstall watching anything) over the bundles of a distribution, with the few
 * operations a measurement needs: create and delete configurations through ConfigAdmin, read a
 * device pipeline's state and sink names.
 *
 * <p>This is the only public type of the launcher besides {@link Launcher}. It is not a user
 * API: the launcher jar is not a bundle and exports nothing, and this class may change with any
 * release together with its one user, the bench. Users run {@code bin/scanout}; integrators embed
 * the bundles in their own framework (see {@code examples/embedded}).
 *
 * <p>Threads: start and close from one thread; the other methods from any.
 */
public final class EmbeddedScanout implements AutoCloseable {

    /** The factory PID of a device configuration, as {@code scanout run} creates it. */
    public static final String DEVICE_PID = RunCommand.DEVICE_PID;

    private final RunDirectory run;
    private final EmbeddedFramework framework;
    private final ConfigAdminClient configAdmin;

    private EmbeddedScanout(RunDirectory run, EmbeddedFramework framework) {
        this.run = run;
        this.framework = framework;
        this.configAdmin = ConfigAdminClient.of(framework.context());
    }

    /**
     * Starts a framework with the jars directly in {@code distribution/bundles} whose file name
     * {@code bundles} accepts, its bundle cache and ConfigAdmin store in a fresh run directory
     * under {@code cache}.
     *
     * @throws IOException when the bundles directory cannot be listed
     * @throws BundleException when a bundle does not install or start
     */
    public static EmbeddedScanout start(Path distribution, Path cache, Predicate<String> bundles)
            throws IOException, BundleException {
        List<Path> jars = new ArrayList<>();
        for (Path p : Distribution.jars(distribution.resolve("bundles"))) {
            if (bundles.test(p.getFileName().toString())) {
                jars.add(p);
            }
        }
        RunDirectory run = RunDirectory.create(cache);
        try {
            return new EmbeddedScanout(run, EmbeddedFramework.start(
                    new EmbeddedFramework.Settings(run.path(), jars, List.of(), 0, Map.of())));
        } catch (BundleException | RuntimeException e) {
            run.delete();
            throw e;
        }
    }

    /** Creates a factory configuration through ConfigAdmin; returns its PID. */
    public String createConfiguration(String factoryPid, String name, Map<String, ?> properties) {
        return configAdmin.put(factoryPid, name, properties);
    }

    /** Deletes the configuration with this PID (nothing when there is none). */
    public void deleteConfiguration(String pid) {
        configAdmin.delete(pid);
    }

    /**
     * The state ({@code RUNNING}, ...) of the pipeline registered for the device configuration
     * with this PID; empty while none is registered.
     */
    public Optional<String> pipelineState(String devicePid) {
        return Pipelines.ofConfiguration(framework.context(), devicePid).map(Pipelines.Stats::state);
    }

    /**
     * The names of the sinks attached to the pipeline of the device configuration with this
     * PID; empty while none is registered.
     */
    public List<String> pipelineSinks(String devicePid) {
        return Pipelines.ofConfiguration(framework.context(), devicePid)
                .map(s -> s.sinks().stream().map(Pipelines.Sink::name).toList()).orElse(List.of());
    }

    /**
     * Stops the framework (waiting up to 10 s) and deletes the run directory. Interrupted while
     * waiting, it deletes the run directory all the same and leaves the thread's interrupt set.
     */
    @Override
    public void close() {
        try {
            framework.stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            run.delete();
        }
    }
}
