package io.github.scanout.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scanout devices}: lists the host's mdevs and tries to open each (closing it at once),
 * without starting the framework. Core, the api and JNA are loaded from {@code bundles/} in a
 * class loader of their own, and core's embedding API ({@code io.github.scanout.core.Devices})
 * is called reflectively: the launcher does not link against core.
 *
 * <p>{@code -Dscanout.sysfs=DIR} and {@code -Dscanout.dev=DIR} point it at another sysfs and
 * {@code /dev} (tests use a fake tree).
 *
 * <p>Threads: {@link #run} on the main thread.
 */
final class DevicesCommand {
    static final String SIMULATED = "sim:mdpy-vga, sim:mdpy-xga, sim:mdpy-hd, sim:mbochs, sim:gvt";

    private final Distribution dist;
    private final PrintStream out;
    private final PrintStream err;

    DevicesCommand(Distribution dist, PrintStream out, PrintStream err) {
        this.dist = dist;
        this.out = out;
        this.err = err;
    }

    int run() {
        Path sysfs = Path.of(System.getProperty("scanout.sysfs", "/sys"));
        Path dev = Path.of(System.getProperty("scanout.dev", "/dev"));
        List<URL> urls = new ArrayList<>();
        for (String jar : new String[] {"scanout-api.jar", "scanout-core.jar", "jna.jar"}) {
            Path p = dist.bundles().resolve(jar);
            if (!Files.isRegularFile(p)) {
                err.println("scanout: " + p + " is missing; the distribution is incomplete");
                return 1;
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (IOException e) {
                err.println("scanout: " + p + ": " + e.getMessage());
                return 1;
            }
        }
        Natives.configure(dist.cache(), dist.cache());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), DevicesCommand.class.getClassLoader())) {
            Class<?> devicesType = loader.loadClass("io.github.scanout.core.Devices");
            Class<?> kernelType = loader.loadClass("io.github.scanout.api.kernel.Kernel");
            Object devices = devicesType.getConstructor(java.util.Collection.class, kernelType, Path.class, Path.class)
                    .newInstance(List.of(), null, sysfs, dev);
            List<?> mdevs;
            try {
                mdevs = (List<?>) devicesType.getMethod("list").invoke(devices);
            } catch (InvocationTargetException e) {
                err.println("scanout: cannot list the mediated devices: " + e.getCause().getMessage());
                return 1;
            }
            Path bus = sysfs.resolve("bus/mdev/devices");
            if (mdevs.isEmpty()) {
                out.println("No mediated devices on this host (" + bus + " is empty or missing).");
                out.println("Simulated vGPUs need none: " + SIMULATED + ", for example");
                out.println("  scanout run --device sim:mbochs --sink file:out/ --duration 5");
                return 0;
            }
            out.println(mdevs.size() + " mediated device" + (mdevs.size() == 1 ? "" : "s") + " (" + bus + "):");
            for (Object m : mdevs) {
                String uuid = (String) m.getClass().getMethod("uuid").invoke(m);
                String verdict;
                try {
                    Object opened = devicesType.getMethod("open", String.class).invoke(devices, uuid);
                    ((AutoCloseable) opened).close();
                    verdict = "can be opened";
                } catch (InvocationTargetException e) {
                    Throwable c = e.getCause();
                    verdict = "cannot be opened: " + (c.getMessage() == null ? c.toString() : c.getMessage());
                }
                out.println("  " + m + ": " + verdict);
            }
            return 0;
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            err.println("scanout: cannot load core from " + dist.bundles() + ": " + e);
            return 1;
        } catch (Exception e) {
            err.println("scanout: " + e);
            return 1;
        }
    }
}
